#!/usr/bin/env python3
"""Make tests/e2e/fixtures/strokes.json: handwritten-like digits as pen strokes.

The browser end-to-end tests draw these strokes on the page's pad with a real
(synthetic) mouse or finger, so they are pen paths, not MNIST pixels. They come
from two sources:

* Hershey stroke fonts (PyPI package `hershey-fonts`). Only the faces whose
  digits look like something a person draws are used. Several faces share the
  same digit glyphs (rowmans = futural = cursive = greek; rowmand = futuram;
  scriptc = scripts = timesi; greekc = timesr), so we take one face of each
  distinct set: futural (single-stroke sans), futuram (double-stroke sans),
  scripts (italic with serifs) and timesr (roman with serifs). Gothic faces are
  skipped: their digits are ornamental, nothing like handwriting.
* Digits drawn by hand as polylines authored in this script (source "hand"):
  a 7 with a crossbar, an open-top 4, a 1 with a flag and base, a 9 with a
  straight stem, a 2 with a loop, and so on.

Every glyph is drawn several times with a random size (40-90% of the pad
height), position (anywhere that fits, not centred), slant (+-15 degrees),
small rotation, aspect change, a gentle wobble and per-point jitter. The random
generator is seeded, so the output is byte-for-byte reproducible.

Coordinates: the pad is the unit square, x to the right, y down; every point is
[x, y] rounded to 3 decimals. Each entry is
    {"label": 7, "source": "futural" | ... | "hand", "glyph": "...", "strokes": [[[x, y], ...], ...]}

Usage (install the font package into a venv OUTSIDE the repository):
    python3 -m venv /tmp/venv-hershey
    /tmp/venv-hershey/bin/pip install hershey-fonts==2.1.0
    /tmp/venv-hershey/bin/python scripts/make-stroke-fixture.py [OUT.json]
"""

import json
import math
import os
import random
import sys


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "e2e", "fixtures", "strokes.json")
SEED = 20240607
MAX_BYTES = 200 * 1024

# (Hershey face, variants per digit)
FACES = [("futural", 5), ("futuram", 3), ("scripts", 5), ("timesr", 3)]
HAND_VARIANTS = 3  # per hand-authored template

# Random transform ranges.
HEIGHT = (0.40, 0.90)  # glyph height as a fraction of the pad
SLANT_DEG = 15.0
ROTATE_DEG = 6.0
ASPECT = (0.85, 1.15)
WOBBLE = 0.02  # amplitude, fraction of the glyph height
JITTER = 0.003  # per-point noise (standard deviation), fraction of the glyph height
MARGIN = 0.04  # keep the ink this far from the pad's edges
MAX_SEGMENT = 0.1  # resample long straight segments (fraction of glyph height) so the wobble bends them


# --------------------------------------------------------------------------
# Hand-authored digits, in a box with y down (about 0..1 high).


def arc(cx, cy, rx, ry, a0, a1, n=None):
    """Points on an ellipse from angle a0 to a1 (degrees, y down: 90 = bottom, 270 = top)."""
    if n is None:
        n = max(4, int(abs(a1 - a0) / 12))
    return [
        (cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)), cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n)))
        for i in range(n + 1)
    ]


def eight(n=48):
    return [(0.5 + 0.28 * math.sin(2 * t), 0.5 - 0.46 * math.cos(t)) for t in (2 * math.pi * i / n for i in range(n + 1))]


HAND = {
    "0-oval": (0, [arc(0.5, 0.5, 0.32, 0.46, 270, -100)]),
    "0-narrow-overlap": (0, [arc(0.5, 0.5, 0.24, 0.47, -60, -440)]),
    "1-stroke": (1, [[(0.52, 0.0), (0.5, 1.0)]]),
    "1-flag-and-base": (1, [[(0.28, 0.22), (0.55, 0.0), (0.55, 1.0)], [(0.28, 1.0), (0.82, 1.0)]]),
    "2-loop": (2, [arc(0.5, 0.28, 0.3, 0.26, 200, 385) + [(0.2, 0.92), (0.13, 0.98), (0.09, 0.92), (0.16, 0.86), (0.28, 0.9), (0.88, 0.97)]]),
    "2-plain": (2, [arc(0.5, 0.28, 0.32, 0.27, 195, 375) + [(0.15, 0.98), (0.9, 0.98)]]),
    "3-round": (3, [arc(0.48, 0.26, 0.28, 0.23, 205, 450) + arc(0.48, 0.72, 0.33, 0.26, 270, 520)[1:]]),
    "3-flat-top": (3, [[(0.18, 0.02), (0.8, 0.02), (0.45, 0.42)] + arc(0.45, 0.7, 0.34, 0.28, 270, 520)[1:]]),
    "4-open-top": (4, [[(0.3, 0.0), (0.12, 0.62), (0.88, 0.62)], [(0.66, 0.22), (0.66, 1.0)]]),
    "4-closed": (4, [[(0.68, 1.0), (0.68, 0.0), (0.08, 0.68), (0.9, 0.68)]]),
    "5-two-strokes": (5, [[(0.3, 0.04), (0.26, 0.45)] + arc(0.48, 0.69, 0.31, 0.28, 235, 515)[1:], [(0.3, 0.04), (0.8, 0.02)]]),
    "5-one-stroke": (5, [[(0.8, 0.02), (0.3, 0.04), (0.26, 0.45)] + arc(0.48, 0.69, 0.31, 0.28, 235, 515)[1:]]),
    "6-curl": (6, [arc(0.78, 0.62, 0.52, 0.6, 255, 180) + arc(0.5, 0.73, 0.25, 0.25, 180, -170)[1:]]),
    "6-straight-top": (6, [[(0.68, 0.0), (0.3, 0.5)] + arc(0.5, 0.73, 0.25, 0.26, 215, -145)[1:]]),
    "7-crossbar": (7, [[(0.15, 0.04), (0.85, 0.04), (0.4, 1.0)], [(0.3, 0.52), (0.78, 0.5)]]),
    "7-hook": (7, [[(0.14, 0.16), (0.15, 0.04), (0.86, 0.04), (0.45, 1.0)]]),
    "8-one-stroke": (8, [eight()]),
    "8-two-loops": (8, [arc(0.5, 0.26, 0.22, 0.22, 90, 450), arc(0.5, 0.72, 0.28, 0.27, 270, 630)]),
    "9-straight-stem": (9, [arc(0.45, 0.28, 0.26, 0.25, 0, -360) + [(0.71, 1.0)]]),
    "9-curved-stem": (9, [arc(0.45, 0.28, 0.26, 0.25, 0, -360) + [(0.7, 0.6), (0.63, 0.85), (0.5, 0.97), (0.33, 0.98)]]),
}


# --------------------------------------------------------------------------


def hershey_glyphs():
    """{face: {digit: strokes}} with strokes as lists of (x, y), y down."""
    from HersheyFonts import HersheyFonts  # only this needs the package (see Usage)

    out = {}
    for face, _ in FACES:
        font = HersheyFonts()
        font.load_default_font(face)
        out[face] = {d: [list(s) for s in font.strokes_for_text(str(d)) if len(list(s)) > 0] for d in range(10)}
    return out


def normalize(strokes):
    """Scale to height 1 (keeping the aspect ratio), centred on the origin."""
    xs = [x for s in strokes for x, _ in s]
    ys = [y for s in strokes for _, y in s]
    h = max(ys) - min(ys)
    cx = (max(xs) + min(xs)) / 2
    cy = (max(ys) + min(ys)) / 2
    return [[((x - cx) / h, (y - cy) / h) for x, y in s] for s in strokes]


def resample(stroke, step):
    out = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        out.extend((x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1))
    return out


def distort(strokes, rng):
    """A randomly written copy of a normalized glyph, placed on the unit pad."""
    height = rng.uniform(*HEIGHT)
    slant = math.tan(math.radians(rng.uniform(-SLANT_DEG, SLANT_DEG)))
    rot = math.radians(rng.uniform(-ROTATE_DEG, ROTATE_DEG))
    aspect = rng.uniform(*ASPECT)
    amp = rng.uniform(0, WOBBLE)
    fx, fy = rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5)
    px, py = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    cos_r, sin_r = math.cos(rot), math.sin(rot)

    shaped = []
    for s in strokes:
        pts = []
        for x, y in resample(s, MAX_SEGMENT):
            x = x * aspect - y * slant  # y is down: the top leans right for a positive slant
            x += amp * math.sin(2 * math.pi * fy * y + py)
            y += amp * math.sin(2 * math.pi * fx * x + px)
            x += rng.gauss(0, JITTER)
            y += rng.gauss(0, JITTER)
            x, y = x * cos_r - y * sin_r, x * sin_r + y * cos_r
            pts.append((x * height, y * height))
        shaped.append(pts)

    xs = [x for s in shaped for x, _ in s]
    ys = [y for s in shaped for _, y in s]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    room_x = max(0.0, 1 - 2 * MARGIN - w)
    room_y = max(0.0, 1 - 2 * MARGIN - h)
    left = MARGIN + rng.uniform(0, room_x) - min(xs)
    top = MARGIN + rng.uniform(0, room_y) - min(ys)
    return [[[round(x + left, 3), round(y + top, 3)] for x, y in s] for s in shaped]


def dedupe(stroke):
    out = [stroke[0]]
    for p in stroke[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else OUT
    rng = random.Random(SEED)
    glyphs = hershey_glyphs()
    digits = []
    for face, variants in FACES:
        for d in range(10):
            base = normalize(glyphs[face][d])
            for _ in range(variants):
                digits.append({"label": d, "source": face, "glyph": f"{face}-{d}", "strokes": distort(base, rng)})
    for name, (d, strokes) in HAND.items():
        base = normalize(strokes)
        for _ in range(HAND_VARIANTS):
            digits.append({"label": d, "source": "hand", "glyph": name, "strokes": distort(base, rng)})
    for entry in digits:
        entry["strokes"] = [dedupe(s) for s in entry["strokes"]]

    composition = {}
    for entry in digits:
        composition[entry["source"]] = composition.get(entry["source"], 0) + 1
    header = {
        "description": "Handwritten-like digits as pen strokes for the browser end-to-end tests. "
        "Pad = unit square, x right, y down. Made by scripts/make-stroke-fixture.py; do not edit by hand.",
        "seed": SEED,
        "faces": [f for f, _ in FACES],
        "count": len(digits),
        "composition": composition,
    }
    lines = ",\n".join("    " + json.dumps(e, separators=(",", ":")) for e in digits)
    text = json.dumps(header, indent=2)[:-2] + ',\n  "digits": [\n' + lines + "\n  ]\n}\n"
    json.loads(text)  # sanity
    if len(text.encode()) > MAX_BYTES:
        sys.exit(f"error: {len(text)} bytes is over the {MAX_BYTES} byte budget")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    per_label = [sum(1 for e in digits if e["label"] == d) for d in range(10)]
    print(f"wrote {out_path}: {len(digits)} digits, {len(text.encode())} bytes")
    print(f"  by source: {composition}")
    print(f"  by label:  {per_label}")


if __name__ == "__main__":
    main()
