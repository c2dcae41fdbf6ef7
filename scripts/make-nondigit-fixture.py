#!/usr/bin/env python3
"""Make tests/e2e/fixtures/nondigits.json: drawings that are NOT one digit, as pen strokes.

They calibrate and test the recognizer's reject rule ("not sure"): a scribble, a letter or two
digits on top of each other should not get a confident digit. Four kinds:

* letter  - Hershey letters (futural, scripts) that do not look like a digit: no O/o/Q/D (0),
            I/l/i/j/J (1), Z/z (2), S/s (5), b/G (6), T (7), B (8), g/q (9).
* scribble - random pen walks: zigzags, loops, tangles.
* overlap  - two digits of tests/e2e/fixtures/strokes.json drawn on top of each other,
             shifted by 10-35% of their size.
* shape    - things people doodle: star, spiral, hash, grid, cross-hatch, triangle, arrow,
             smiley, heart, square, plus, check mark, wave.

Every drawing gets a random size, position and slant like the digit fixture (same transform
code). Seeded, so the output is reproducible. Coordinates and format as strokes.json, with
"kind" and "name" instead of "label".

Usage (the font package goes into a venv OUTSIDE the repository):
    python3 -m venv /tmp/venv-hershey
    /tmp/venv-hershey/bin/pip install hershey-fonts==2.1.0
    /tmp/venv-hershey/bin/python scripts/make-nondigit-fixture.py [OUT.json]
"""

import importlib.util
import json
import math
import os
import random
import sys

from HersheyFonts import HersheyFonts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "e2e", "fixtures", "nondigits.json")
DIGITS = os.path.join(ROOT, "tests", "e2e", "fixtures", "strokes.json")
SEED = 19980101
MAX_BYTES = 200 * 1024

_spec = importlib.util.spec_from_file_location("strokefix", os.path.join(ROOT, "scripts", "make-stroke-fixture.py"))
strokefix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(strokefix)

LETTERS = "ACEFHKMNPRUVWXYacdefhkmnprtuvwxy"
LETTER_FACES = ["futural", "scripts"]
PER_LETTER = 2  # one per face
SCRIBBLES = 40
OVERLAPS = 40
SHAPE_VARIANTS = 3


def letters():
    out = []
    for face in LETTER_FACES:
        font = HersheyFonts()
        font.load_default_font(face)
        for ch in LETTERS:
            strokes = [list(s) for s in font.strokes_for_text(ch) if len(list(s)) > 0]
            out.append((f"{face}-{ch}", strokes))
    return out


def scribble(rng):
    """A random pen walk: smooth turns, sometimes sharp zigzags, 1-3 strokes."""
    strokes = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        x, y = rng.uniform(0, 1), rng.uniform(0, 1)
        heading = rng.uniform(0, 2 * math.pi)
        turn = rng.uniform(0.2, 1.2) * rng.choice([-1, 1])
        zig = rng.random() < 0.35
        pts = [(x, y)]
        for i in range(rng.randint(12, 40)):
            if zig and i % 3 == 0:
                heading += math.pi * rng.uniform(0.6, 0.9) * rng.choice([-1, 1])
            else:
                heading += turn * rng.uniform(0.3, 1.0)
            step = rng.uniform(0.05, 0.12)
            x, y = x + step * math.cos(heading), y + step * math.sin(heading)
            pts.append((x, y))
        strokes.append(pts)
    return strokes


def shapes():
    arc = strokefix.arc
    star = [(0.5 + 0.5 * math.cos(math.radians(-90 + 144 * i)), 0.5 + 0.5 * math.sin(math.radians(-90 + 144 * i))) for i in range(6)]
    spiral = [(0.5 + 0.05 * t * math.cos(t), 0.5 + 0.05 * t * math.sin(t)) for t in (i * 0.25 for i in range(40))]
    heart = [(0.5 + 0.4 * math.sin(t) ** 3, 0.45 - 0.3 * math.cos(t) + 0.12 * math.cos(2 * t) + 0.05 * math.cos(3 * t)) for t in (2 * math.pi * i / 40 for i in range(41))]
    return {
        "star": [star],
        "spiral": [spiral],
        "hash": [[(0.35, 0.0), (0.3, 1.0)], [(0.7, 0.0), (0.65, 1.0)], [(0.0, 0.35), (1.0, 0.35)], [(0.0, 0.68), (1.0, 0.68)]],
        "grid": [[(x, 0.0), (x, 1.0)] for x in (0.0, 0.33, 0.66, 1.0)] + [[(0.0, y), (1.0, y)] for y in (0.0, 0.5, 1.0)],
        "cross-hatch": [[(i * 0.2, 0.0), (i * 0.2 + 0.4, 1.0)] for i in range(5)] + [[(i * 0.2 + 0.4, 0.0), (i * 0.2, 1.0)] for i in range(5)],
        "triangle": [[(0.5, 0.0), (1.0, 0.9), (0.0, 0.9), (0.5, 0.0)]],
        "arrow": [[(0.0, 0.5), (1.0, 0.5)], [(0.7, 0.2), (1.0, 0.5), (0.7, 0.8)]],
        "smiley": [arc(0.5, 0.5, 0.5, 0.5, 0, 360), [(0.35, 0.35), (0.35, 0.4)], [(0.65, 0.35), (0.65, 0.4)], arc(0.5, 0.55, 0.25, 0.2, 20, 160)],
        "heart": [heart],
        "square": [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]],
        "plus": [[(0.5, 0.0), (0.5, 1.0)], [(0.0, 0.5), (1.0, 0.5)]],
        "check": [[(0.0, 0.55), (0.35, 1.0), (1.0, 0.0)]],
        "wave": [[(x / 20, 0.5 + 0.3 * math.sin(x / 20 * 4 * math.pi)) for x in range(21)]],
        "x-mark": [[(0.0, 0.0), (1.0, 1.0)], [(1.0, 0.0), (0.0, 1.0)]],
        "filled-blob": [[(0.5 + r * math.cos(t), 0.5 + r * math.sin(t)) for t, r in ((i * 0.5, 0.05 + 0.012 * i) for i in range(36))]],
    }


def overlap(rng, digits):
    """Two digits of different labels on top of each other."""
    a = rng.choice(digits)
    b = rng.choice([d for d in digits if d["label"] != a["label"]])
    na, nb = strokefix.normalize(a["strokes"]), strokefix.normalize(b["strokes"])
    dx, dy = rng.uniform(0.1, 0.35) * rng.choice([-1, 1]), rng.uniform(-0.1, 0.1)
    both = na + [[(x + dx, y + dy) for x, y in s] for s in nb]
    return f"{a['label']}+{b['label']}", both


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else OUT
    rng = random.Random(SEED)
    with open(DIGITS, encoding="utf-8") as f:
        digits = json.load(f)["digits"]
    items = []
    for name, strokes in letters():
        items.append({"kind": "letter", "name": name, "strokes": strokefix.distort(strokefix.normalize(strokes), rng)})
    for i in range(SCRIBBLES):
        items.append({"kind": "scribble", "name": f"scribble-{i}", "strokes": strokefix.distort(strokefix.normalize(scribble(rng)), rng)})
    for _ in range(OVERLAPS):
        name, strokes = overlap(rng, digits)
        items.append({"kind": "overlap", "name": name, "strokes": strokefix.distort(strokefix.normalize(strokes), rng)})
    for name, strokes in shapes().items():
        for _ in range(SHAPE_VARIANTS):
            items.append({"kind": "shape", "name": name, "strokes": strokefix.distort(strokefix.normalize(strokes), rng)})
    for item in items:
        item["strokes"] = [strokefix.dedupe(s) for s in item["strokes"]]

    kinds = {}
    for item in items:
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    header = {
        "description": "Drawings that are not one digit (letters, scribbles, overlapping digits, doodles) as pen "
        "strokes, for the reject rule. Pad = unit square, x right, y down. Made by "
        "scripts/make-nondigit-fixture.py; do not edit by hand.",
        "seed": SEED,
        "count": len(items),
        "composition": kinds,
    }
    lines = ",\n".join("    " + json.dumps(e, separators=(",", ":")) for e in items)
    text = json.dumps(header, indent=2)[:-2] + ',\n  "drawings": [\n' + lines + "\n  ]\n}\n"
    json.loads(text)
    if len(text.encode()) > MAX_BYTES:
        sys.exit(f"error: {len(text)} bytes is over the {MAX_BYTES} byte budget")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {out_path}: {len(items)} drawings, {len(text.encode())} bytes, {kinds}")


if __name__ == "__main__":
    main()
