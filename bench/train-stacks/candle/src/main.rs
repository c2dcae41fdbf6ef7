//! One LeNet-5 training epoch on MNIST with candle (CPU), for scripts/bench-train.sh.
//!
//! Network, data and optimiser as in the other stacks: 1x32x32 input (28x28 padded by 2, /255),
//! conv 6@5x5 → ReLU → max 2 → conv 16@5x5 → ReLU → max 2 → conv 120@5x5 → ReLU → dense 84 →
//! ReLU → dense 10, softmax cross-entropy, Adam lr 1e-3 (AdamW with weight decay 0), batch 64.
//! Data are loaded before the clock starts; the test-set evaluation is outside the timing.
//!
//! `lenet5-bench-candle [--data DIR] [--epochs N]`; threads: RAYON_NUM_THREADS.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{DType, Device, Module, Result, Tensor, D};
use candle_nn::{conv2d, linear, AdamW, Conv2d, Conv2dConfig, Linear, Optimizer, ParamsAdamW, VarBuilder, VarMap};

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

/// Images as `[n, 1, 32, 32]` f32 in 0..1 (28x28 centred, 2 pixels of zero padding), labels u32.
fn load(dir: &Path, prefix: &str, dev: &Device) -> Result<(Tensor, Tensor)> {
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
    let labels: Vec<u32> = lab.iter().map(|&l| u32::from(l)).collect();
    Ok((Tensor::from_vec(x, (n, 1, 32, 32), dev)?, Tensor::from_vec(labels, n, dev)?))
}

struct LeNet5 {
    c1: Conv2d,
    c3: Conv2d,
    c5: Conv2d,
    f6: Linear,
    out: Linear,
}

impl LeNet5 {
    fn new(vb: VarBuilder) -> Result<Self> {
        let cfg = Conv2dConfig::default();
        Ok(Self {
            c1: conv2d(1, 6, 5, cfg, vb.pp("c1"))?,
            c3: conv2d(6, 16, 5, cfg, vb.pp("c3"))?,
            c5: conv2d(16, 120, 5, cfg, vb.pp("c5"))?,
            f6: linear(120, 84, vb.pp("f6"))?,
            out: linear(84, 10, vb.pp("out"))?,
        })
    }
}

impl Module for LeNet5 {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.c1.forward(x)?.relu()?.max_pool2d(2)?;
        let x = self.c3.forward(&x)?.relu()?.max_pool2d(2)?;
        let x = self.c5.forward(&x)?.relu()?.flatten_from(1)?;
        let x = self.f6.forward(&x)?.relu()?;
        self.out.forward(&x)
    }
}

/// splitmix64: a seeded shuffle without pulling in `rand`.
fn shuffle(v: &mut [u32], seed: &mut u64) {
    for i in (1..v.len()).rev() {
        *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        v.swap(i, (z % (i as u64 + 1)) as usize);
    }
}

fn main() -> Result<()> {
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
    let dev = Device::Cpu;
    let (train_x, train_y) = load(&data, "train", &dev)?;
    let (test_x, test_y) = load(&data, "t10k", &dev)?;
    let n = train_y.dim(0)?;
    println!(
        "candle {} (candle-core, candle-nn), {n} training digits, batch 64, Adam lr 1e-3, {} threads",
        "0.9",
        candle_core::utils::get_num_threads()
    );

    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
    let model = LeNet5::new(vb)?;
    let params = ParamsAdamW { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 };
    let mut opt = AdamW::new(varmap.all_vars(), params)?;
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut seed = 1998u64;
    let batch = 64;
    let mut total = 0.0;
    for epoch in 1..=epochs {
        shuffle(&mut order, &mut seed);
        let t = Instant::now();
        let mut loss_sum = 0f32;
        let mut batches = 0usize;
        for ids in order.chunks(batch) {
            let idx = Tensor::new(ids, &dev)?;
            let x = train_x.index_select(&idx, 0)?;
            let y = train_y.index_select(&idx, 0)?;
            let logits = model.forward(&x)?;
            let loss = candle_nn::loss::cross_entropy(&logits, &y)?;
            opt.backward_step(&loss)?;
            loss_sum += loss.to_scalar::<f32>()?;
            batches += 1;
        }
        let seconds = t.elapsed().as_secs_f64();
        total += seconds;
        // Test accuracy (not timed), in chunks of 1000.
        let mut correct = 0u32;
        for s in (0..test_y.dim(0)?).step_by(1000) {
            let x = test_x.narrow(0, s, 1000)?;
            let y = test_y.narrow(0, s, 1000)?;
            let pred = model.forward(&x)?.argmax(D::Minus1)?;
            correct += pred.eq(&y)?.to_dtype(DType::U32)?.sum_all()?.to_scalar::<u32>()?;
        }
        println!(
            "epoch {epoch}/{epochs}  train loss {:.4}  test acc {:.2}%  {seconds:.2} s",
            loss_sum / batches as f32,
            correct as f64 / 100.0
        );
        println!("epoch_seconds={seconds:.3}");
    }
    println!("train_seconds_total={total:.3}");
    Ok(())
}
