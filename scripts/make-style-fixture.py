#!/usr/bin/env python3
"""Make tests/e2e/fixtures/styles.json: the digit forms MNIST's writers rarely used, many times
each, as pen strokes: crossed 7s (in one stroke and in two), 1s with a flag (short and long,
with and without a foot), open and closed 4s, 9s with straight and curved stems, 2s with and
without a loop, 6s and 0s left open at the top, and plain 1s and 7s to check that those stay
right.

The templates are authored here and in scripts/make-stroke-fixture.py (its HAND table), not in
the trainer's generator (crate/src/train/synth/), so they test the network on forms drawn by
another hand. Each is drawn VARIANTS times with the stroke fixture's random size, position,
slant, rotation, aspect, wobble and jitter (same code), from its own seed. Needs no packages.

Usage: python3 scripts/make-style-fixture.py [OUT.json]
"""

import importlib.util
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "e2e", "fixtures", "styles.json")
SEED = 20261207
VARIANTS = 16
MAX_BYTES = 200 * 1024

_spec = importlib.util.spec_from_file_location("strokefix", os.path.join(ROOT, "scripts", "make-stroke-fixture.py"))
strokefix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(strokefix)
arc, HAND = strokefix.arc, strokefix.HAND

STYLES = {
    "7-crossed": HAND["7-crossbar"],
    "7-crossed-apart": (7, [[(0.15, 0.03), (0.86, 0.05)], [(0.86, 0.05), (0.38, 1.0)], [(0.28, 0.55), (0.8, 0.52)]]),
    "7-plain": (7, [[(0.12, 0.04), (0.88, 0.04), (0.42, 1.0)]]),
    "1-plain": HAND["1-stroke"],
    "1-flag": (1, [[(0.32, 0.24), (0.56, 0.0), (0.56, 1.0)]]),
    "1-long-flag": (1, [[(0.16, 0.34), (0.6, 0.0), (0.58, 1.0)]]),
    "1-flag-and-foot": HAND["1-flag-and-base"],
    "4-open": HAND["4-open-top"],
    "4-closed": HAND["4-closed"],
    "9-straight": HAND["9-straight-stem"],
    "9-curved": HAND["9-curved-stem"],
    "2-loop": HAND["2-loop"],
    "2-plain": HAND["2-plain"],
    "6-open": (6, [arc(0.78, 0.62, 0.52, 0.6, 255, 180) + arc(0.5, 0.73, 0.25, 0.25, 180, -90)[1:]]),
    "0-open": (0, [arc(0.5, 0.5, 0.32, 0.46, 250, -70)]),
}


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else OUT
    rng = random.Random(SEED)
    digits = []
    for name, (d, strokes) in STYLES.items():
        base = strokefix.normalize(strokes)
        for _ in range(VARIANTS):
            drawn = [strokefix.dedupe(s) for s in strokefix.distort(base, rng)]
            digits.append({"label": d, "style": name, "strokes": drawn})
    header = {
        "description": "Digit forms MNIST rarely has, as pen strokes, for the accuracy tests. "
        "Pad = unit square, x right, y down. Made by scripts/make-style-fixture.py; do not edit by hand.",
        "seed": SEED,
        "count": len(digits),
        "styles": {name: d for name, (d, _) in STYLES.items()},
    }
    lines = ",\n".join("    " + json.dumps(e, separators=(",", ":")) for e in digits)
    text = json.dumps(header, indent=2)[:-2] + ',\n  "digits": [\n' + lines + "\n  ]\n}\n"
    json.loads(text)
    if len(text.encode()) > MAX_BYTES:
        sys.exit(f"error: {len(text)} bytes is over the {MAX_BYTES} byte budget")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {out_path}: {len(digits)} digits, {len(text.encode())} bytes")


if __name__ == "__main__":
    main()
