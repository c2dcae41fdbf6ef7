#!/usr/bin/env python3
"""One (or more) LeNet-5 training epochs on MNIST with PyTorch (CPU), for scripts/bench-train.sh.

Same network, data and optimiser as the other stacks: 1x32x32 input (28x28 padded by 2, /255),
conv 6@5x5 -> ReLU -> max 2 -> conv 16@5x5 -> ReLU -> max 2 -> conv 120@5x5 -> ReLU -> dense 84
-> ReLU -> dense 10, softmax cross-entropy, Adam lr 1e-3, batch 64, no augmentation.
The data are loaded into memory before the clock starts; the test-set evaluation after each
epoch is not timed. Prints `epoch_seconds=<x>` per epoch and, at the end,
`time_to_99=<training seconds>` (or `time_to_99=none`): training time until the test accuracy
first reached 99.0%.

    python pytorch_lenet5.py [--data DIR] [--epochs N] [--threads 2] [--stop-at-99]
"""

import argparse
import gzip
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn


def read_idx(path: Path) -> np.ndarray:
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data: Path, prefix: str):
    img = read_idx(data / f"{prefix}-images-idx3-ubyte.gz")
    lab = read_idx(data / f"{prefix}-labels-idx1-ubyte.gz")
    x = np.zeros((len(img), 1, 32, 32), dtype=np.float32)
    x[:, 0, 2:30, 2:30] = img.astype(np.float32) / 255.0
    return torch.from_numpy(x), torch.from_numpy(lab.astype(np.int64))


def lenet5() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/mnist"))
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1998)
    ap.add_argument("--stop-at-99", action="store_true", help="stop once the test accuracy reaches 99.0%%")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load(args.data, "train")
    test_x, test_y = load(args.data, "t10k")
    print(f"torch {torch.__version__}, {len(train_y)} training digits, batch {args.batch_size}, "
          f"Adam lr {args.lr}, {torch.get_num_threads()} threads", flush=True)

    model = lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)
    train_seconds = 0.0
    reached = None
    for epoch in range(1, args.epochs + 1):
        model.train()
        t = time.perf_counter()
        order = torch.randperm(len(train_y), generator=gen)
        loss_sum, batches = 0.0, 0
        for s in range(0, len(order), args.batch_size):
            ids = order[s : s + args.batch_size]
            x, y = train_x[ids], train_y[ids]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            batches += 1
        seconds = time.perf_counter() - t
        train_seconds += seconds
        model.eval()
        with torch.no_grad():
            correct = sum(
                (model(test_x[s : s + 1000]).argmax(1) == test_y[s : s + 1000]).sum().item()
                for s in range(0, len(test_y), 1000)
            )
        acc = correct / len(test_y)
        print(f"epoch {epoch}/{args.epochs}  train loss {loss_sum / batches:.4f}  "
              f"test acc {100 * acc:.2f}%  {seconds:.2f} s", flush=True)
        print(f"epoch_seconds={seconds:.3f}", flush=True)
        if reached is None and acc >= 0.99:
            reached = (epoch, train_seconds)
            if args.stop_at_99:
                break
    print(f"train_seconds_total={train_seconds:.3f}")
    if reached:
        print(f"time_to_99={reached[1]:.3f} epoch={reached[0]}")
    else:
        print("time_to_99=none")


if __name__ == "__main__":
    main()
