//! One LeNet-5 training epoch on MNIST with burn's NdArray backend (CPU, autodiff, Adam), for
//! scripts/bench-train.sh.
//!
//! Network, data and optimiser as in the other stacks: 1x32x32 input (28x28 padded by 2, /255),
//! conv 6@5x5 → ReLU → max 2 → conv 16@5x5 → ReLU → max 2 → conv 120@5x5 → ReLU → dense 84 →
//! ReLU → dense 10, softmax cross-entropy, Adam lr 1e-3 (epsilon 1e-8 as in PyTorch), batch 64.
//! Data are loaded before the clock starts; the test-set evaluation is outside the timing.
//!
//! `lenet5-bench-burn [--data DIR] [--epochs N]`; threads: RAYON_NUM_THREADS and
//! MATMUL_NUM_THREADS (matrixmultiply's own pool).
#![allow(deprecated)] // Device::ndarray(): the brief asks for the NdArray backend.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::TensorData;

fn read_idx(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file).read_to_end(&mut bytes)
    } else {
        std::io::BufReader::new(file).read_to_end(&mut bytes)
    }
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let dims = bytes[3] as usize;
    bytes.split_off(4 + 4 * dims)
}

/// Images as `[n, 1, 32, 32]` f32 in 0..1 (28x28 centred, 2 pixels of zero padding), labels.
fn load(dir: &Path, prefix: &str, dev: &Device) -> (Tensor<4>, Tensor<1, Int>, usize) {
    let img = read_idx(&dir.join(format!("{prefix}-images-idx3-ubyte.gz")));
    let lab = read_idx(&dir.join(format!("{prefix}-labels-idx1-ubyte.gz")));
    let n = lab.len();
    let mut x = vec![0f32; n * 32 * 32];
    for i in 0..n {
        for y in 0..28 {
            for c in 0..28 {
                x[i * 1024 + (y + 2) * 32 + c + 2] = f32::from(img[i * 784 + y * 28 + c]) / 255.0;
            }
        }
    }
    let labels: Vec<i64> = lab.iter().map(|&l| i64::from(l)).collect();
    (
        Tensor::from_data(TensorData::new(x, [n, 1, 32, 32]), dev),
        Tensor::from_data(TensorData::new(labels, [n]), dev),
        n,
    )
}

#[derive(Module, Debug)]
struct LeNet5 {
    c1: Conv2d,
    c3: Conv2d,
    c5: Conv2d,
    f6: Linear,
    out: Linear,
    pool: MaxPool2d,
    relu: Relu,
}

impl LeNet5 {
    fn new(dev: &Device) -> Self {
        Self {
            c1: Conv2dConfig::new([1, 6], [5, 5]).init(dev),
            c3: Conv2dConfig::new([6, 16], [5, 5]).init(dev),
            c5: Conv2dConfig::new([16, 120], [5, 5]).init(dev),
            f6: LinearConfig::new(120, 84).init(dev),
            out: LinearConfig::new(84, 10).init(dev),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            relu: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(self.relu.forward(self.c1.forward(x)));
        let x = self.pool.forward(self.relu.forward(self.c3.forward(x)));
        let x: Tensor<2> = self.relu.forward(self.c5.forward(x)).flatten(1, 3);
        let x = self.relu.forward(self.f6.forward(x));
        self.out.forward(x)
    }
}

/// splitmix64: a seeded shuffle without pulling in `rand`.
fn shuffle(v: &mut [i64], seed: &mut u64) {
    for i in (1..v.len()).rev() {
        *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        v.swap(i, (z % (i as u64 + 1)) as usize);
    }
}

fn main() {
    let mut data = PathBuf::from("/work/shared/data/mnist");
    let mut epochs = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().expect("--data DIR").into(),
            "--epochs" => epochs = args.next().expect("--epochs N").parse().expect("--epochs N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let dev = Device::ndarray().autodiff();
    let (train_x, train_y, n) = load(&data, "train", &dev);
    let (test_x, test_y, n_test) = load(&data, "t10k", &dev);
    println!(
        "burn 0.22 NdArray backend + autodiff, {n} training digits, batch 64, Adam lr 1e-3, RAYON_NUM_THREADS={}",
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "(unset)".into())
    );

    let mut model = LeNet5::new(&dev);
    let mut optim = AdamConfig::new().with_epsilon(1e-8).init();
    let loss_fn = CrossEntropyLossConfig::new().init(&dev);
    let mut order: Vec<i64> = (0..n as i64).collect();
    let mut seed = 1998u64;
    let batch = 64;
    let mut total = 0.0;
    for epoch in 1..=epochs {
        shuffle(&mut order, &mut seed);
        let t = Instant::now();
        let mut loss_sum = 0f32;
        let mut batches = 0usize;
        for ids in order.chunks(batch) {
            let idx = Tensor::<1, Int>::from_data(TensorData::new(ids.to_vec(), [ids.len()]), &dev);
            let x = train_x.clone().select(0, idx.clone());
            let y = train_y.clone().select(0, idx);
            let logits = model.forward(x);
            let loss = loss_fn.forward(logits, y);
            loss_sum += loss.clone().into_scalar::<f32>();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(1e-3, model, grads);
            batches += 1;
        }
        let seconds = t.elapsed().as_secs_f64();
        total += seconds;
        // Test accuracy (not timed), in chunks of 1000.
        let mut correct = 0i64;
        for s in (0..n_test).step_by(1000) {
            let x = test_x.clone().narrow(0, s, 1000);
            let y = test_y.clone().narrow(0, s, 1000);
            let pred = model.forward(x).argmax(1).flatten::<1>(0, 1);
            correct += pred.equal(y).int().sum().into_scalar::<i64>();
        }
        println!(
            "epoch {epoch}/{epochs}  train loss {:.4}  test acc {:.2}%  {seconds:.2} s",
            loss_sum / batches as f32,
            100.0 * correct as f64 / n_test as f64
        );
        println!("epoch_seconds={seconds:.3}");
    }
    println!("train_seconds_total={total:.3}");
}
