#!/usr/bin/env python3
"""Make the small MNIST fixtures committed under crate/tests/fixtures/mnist-mini.

The full set must never be committed, but tests need real digits, so we keep
the first 1000 training and the first 500 test items as valid IDX files.
Output is deterministic (gzip level 9, mtime 0, no file name in the header),
so re-running the script does not change committed bytes.

Usage: python3 scripts/make-fixtures.py [MNIST_DIR]
MNIST_DIR holds the four original files, NAME.gz or NAME (default:
/work/shared/data/mnist).
"""

import gzip
import io
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "crate", "tests", "fixtures", "mnist-mini")
MAX_BYTES = 200 * 1024

# (images file, labels file, items kept)
SPLITS = [
    ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 1000),
    ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 500),
]


def read(src, name):
    for candidate, opener in ((name + ".gz", gzip.open), (name, open)):
        path = os.path.join(src, candidate)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                return f.read()
    sys.exit(f"error: neither {name}.gz nor {name} in {src}")


def truncate(data, name, magic, keep):
    """Keep the first `keep` items, rewriting the count in the header."""
    found, count = struct.unpack(">II", data[:8])
    if found != magic:
        sys.exit(f"error: {name}: magic {found:#010x}, expected {magic:#010x}")
    if count < keep:
        sys.exit(f"error: {name}: only {count} items, need {keep}")
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        header, item = 16, rows * cols
        new_header = struct.pack(">IIII", magic, keep, rows, cols)
    else:
        header, item = 8, 1
        new_header = struct.pack(">II", magic, keep)
    return new_header + data[header : header + keep * item]


def write_gz(path, data):
    buf = io.BytesIO()
    # filename="" and mtime=0 keep the output byte-identical across runs.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as f:
        f.write(data)
    out = buf.getvalue()
    if len(out) >= MAX_BYTES:
        sys.exit(f"error: {path} would be {len(out)} bytes (limit {MAX_BYTES})")
    with open(path, "wb") as f:
        f.write(out)
    return len(out)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/mnist"
    os.makedirs(OUT, exist_ok=True)
    for images, labels, keep in SPLITS:
        for name, magic in ((images, 0x803), (labels, 0x801)):
            data = truncate(read(src, name), name, magic, keep)
            path = os.path.join(OUT, name + ".gz")
            size = write_gz(path, data)
            print(f"{os.path.relpath(path, ROOT)}: {keep} items, {size} bytes")


if __name__ == "__main__":
    main()
