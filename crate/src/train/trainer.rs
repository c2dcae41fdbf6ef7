//! The training loop: shuffled minibatches of distorted digits, Adam with a cosine schedule,
//! and evaluation. Deterministic: the same seed gives the same model whatever the thread count,
//! because work is split into fixed chunks whose gradients are summed in a fixed order.
//!
//! No random generator lives across epochs: each epoch's shuffle is seeded from (seed, epoch)
//! and each digit's distortion from (seed, epoch, digit). So the whole state of a run between
//! epochs is the weights, Adam's moments and step counts (see [`super::checkpoint`]), and a
//! run restored from a checkpoint continues bit for bit as if it had never stopped.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::augment::{self, Distortion};
use super::net::{self, C3Mode, Params, Workspace};
use crate::onnx::contract::{CLASSES, INPUT_LEN};

/// Digits per chunk: the unit of parallel work. Fixed (not per thread) for determinism.
pub const CHUNK: usize = 16;

/// MNIST-style digits: `n` images of 28x28 bytes and their labels.
#[derive(Clone, Copy, Debug)]
pub struct Samples<'a> {
    pub images: &'a [u8],
    pub labels: &'a [u8],
}

impl Samples<'_> {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    fn image(&self, i: usize) -> &[u8] {
        &self.images[i * 784..][..784]
    }
}

/// Training examples by index, drawn afresh every epoch: MNIST as is ([`Samples`]), or a mix
/// with generated drawings ([`super::synth::Mix`]).
pub trait Source: Sync {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Writes example `i` into `out` (a 32x32 input), randomised by `rng` and, where it
    /// applies, `distortion`; returns its label: a digit, or [`net::OUTLIER`].
    fn example(&self, i: usize, distortion: Option<&Distortion>, rng: &mut ChaCha8Rng, out: &mut [f32]) -> u8;
}

impl Source for Samples<'_> {
    fn len(&self) -> usize {
        self.labels.len()
    }
    fn example(&self, i: usize, distortion: Option<&Distortion>, rng: &mut ChaCha8Rng, out: &mut [f32]) -> u8 {
        match distortion {
            Some(d) => augment::distort(self.image(i), d, rng, out),
            None => augment::place(self.image(i), out),
        }
        self.labels[i]
    }
}

/// Hyper-parameters of a run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Config {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub seed: u64,
    pub c3: C3Mode,
    /// `None` trains on MNIST as is.
    pub distortion: Option<Distortion>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            epochs: 30,
            batch_size: 64,
            lr: 2e-3,
            seed: 1998,
            c3: C3Mode::Full,
            distortion: Some(Distortion::default()),
        }
    }
}

/// Adam (Kingma & Ba 2015) over the flat parameter vector.
#[derive(Clone, Debug)]
pub struct Adam {
    pub(crate) m: Vec<f32>,
    pub(crate) v: Vec<f32>,
    pub(crate) t: i32,
}

impl Adam {
    pub fn new(len: usize) -> Self {
        Adam {
            m: vec![0.0; len],
            v: vec![0.0; len],
            t: 0,
        }
    }

    pub fn step(&mut self, params: &mut [f32], grad: &[f32], lr: f32) {
        self.t += 1;
        let c1 = 1.0 - ADAM_B1.powi(self.t);
        let c2 = 1.0 - ADAM_B2.powi(self.t);
        type Piece<'a> = ((&'a mut [f32], &'a [f32]), (&'a mut [f32], &'a mut [f32]));
        let update = |((p, g), (m, v)): Piece<'_>| adam_piece(p, g, m, v, lr, c1, c2);
        // Element-wise, so splitting it changes no result; run serially, it left the other of
        // two cores idle for about a tenth of an epoch.
        #[cfg(not(target_arch = "wasm32"))]
        {
            use rayon::prelude::*;
            params
                .par_chunks_mut(PIECE)
                .zip(grad.par_chunks(PIECE))
                .zip(self.m.par_chunks_mut(PIECE).zip(self.v.par_chunks_mut(PIECE)))
                .for_each(update);
        }
        #[cfg(target_arch = "wasm32")]
        params
            .chunks_mut(PIECE)
            .zip(grad.chunks(PIECE))
            .zip(self.m.chunks_mut(PIECE).zip(self.v.chunks_mut(PIECE)))
            .for_each(update);
    }
}

const ADAM_B1: f32 = 0.9;
const ADAM_B2: f32 = 0.999;

/// Parameters per piece of the per-step element-wise work (gradient sum, Adam update).
const PIECE: usize = 4096;

/// Adam's update of one piece of the parameters (`c1`, `c2`: the bias corrections).
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn adam_piece(params: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], lr: f32, c1: f32, c2: f32) {
    const EPS: f32 = 1e-8;
    for ((p, g), (m, v)) in params.iter_mut().zip(grad).zip(m.iter_mut().zip(v.iter_mut())) {
        *m = ADAM_B1 * *m + (1.0 - ADAM_B1) * g;
        *v = ADAM_B2 * *v + (1.0 - ADAM_B2) * g * g;
        *p -= lr * (*m / c1) / ((*v / c2).sqrt() + EPS);
    }
}

/// `grad = Σ slots' gradients`, summed in slot order for every element.
fn sum_gradients(grad: &mut [f32], slots: &[(Workspace, Vec<f32>, Vec<f32>)]) {
    let sum = |(i, piece): (usize, &mut [f32])| {
        piece.fill(0.0);
        for (_, g, _) in slots {
            for (a, b) in piece.iter_mut().zip(&g[i * PIECE..]) {
                *a += b;
            }
        }
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        grad.par_chunks_mut(PIECE).enumerate().for_each(sum);
    }
    #[cfg(target_arch = "wasm32")]
    grad.chunks_mut(PIECE).enumerate().for_each(sum);
}

/// Cosine decay from `lr` to `lr/100` over the run.
pub fn learning_rate(base: f32, step: usize, total: usize) -> f32 {
    let t = step as f32 / total.max(1) as f32;
    let floor = base / 100.0;
    floor + (base - floor) * 0.5 * (1.0 + (std::f32::consts::PI * t).cos())
}

/// Statistics of one epoch.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochStats {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    pub seconds: f64,
    /// Accuracy on generated drawn digits of every style (evaluation stream), if measured.
    #[serde(default)]
    pub drawn_accuracy: Option<f64>,
    /// How well the top probability tells generated non-digits from drawn digits (area under
    /// the ROC curve, 1 = perfectly), if measured.
    #[serde(default)]
    pub nondigit_auroc: Option<f64>,
}

/// Runs `f` on every (chunk index, workspace, gradient buffer), in parallel on native targets.
fn for_each_chunk<F>(slots: &mut [(Workspace, Vec<f32>, Vec<f32>)], f: F)
where
    F: Fn(usize, &mut (Workspace, Vec<f32>, Vec<f32>)) + Sync + Send,
{
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        slots.par_iter_mut().enumerate().for_each(|(i, s)| f(i, s));
    }
    #[cfg(target_arch = "wasm32")]
    slots.iter_mut().enumerate().for_each(|(i, s)| f(i, s));
}

/// A per-digit random generator: depends only on (seed, epoch, index), never on threads.
fn digit_rng(seed: u64, epoch: usize, index: usize) -> ChaCha8Rng {
    let mut z =
        seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(z ^ (z >> 31))
}

/// State of a training run, stepping one epoch at a time.
pub struct Trainer {
    pub params: Params,
    pub config: Config,
    pub(crate) adam: Adam,
    slots: Vec<(Workspace, Vec<f32>, Vec<f32>)>,
    /// Optimiser steps taken (drives the learning-rate schedule).
    pub(crate) step: usize,
    total_steps: usize,
    /// Epochs completed.
    pub(crate) epoch: usize,
    /// Digits per epoch, as given to [`Trainer::new`].
    pub(crate) train_len: usize,
}

impl Trainer {
    /// A fresh network for `config`, to train on `train_len` digits.
    pub fn new(config: Config, train_len: usize) -> Self {
        let params = Params::init(config.seed, config.c3);
        Self::from_params(params, config, train_len)
    }

    /// Continues from given weights (fine-tuning).
    pub fn from_params(params: Params, config: Config, train_len: usize) -> Self {
        let chunks = config.batch_size.div_ceil(CHUNK).max(1);
        let n = params.data.len();
        let slots = (0..chunks)
            .map(|_| (Workspace::new(CHUNK), vec![0f32; n], vec![0f32; CHUNK * INPUT_LEN]))
            .collect();
        let total_steps = config.epochs * train_len.div_ceil(config.batch_size.max(1));
        Trainer {
            adam: Adam::new(n),
            params,
            config,
            slots,
            step: 0,
            total_steps,
            epoch: 0,
            train_len,
        }
    }

    /// Epochs completed so far (including those before a checkpoint it was restored from).
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    /// Trains one epoch over `train`; calls `progress(batch, batches, mean loss so far)`.
    /// Returns (mean loss, training accuracy on the distorted digits).
    pub fn epoch<S: Source + ?Sized>(&mut self, train: &S, mut progress: impl FnMut(usize, usize, f64)) -> (f64, f64) {
        let epoch = self.epoch;
        self.epoch += 1;
        let mut order: Vec<usize> = (0..train.len()).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(
            self.config.seed.wrapping_add(epoch as u64 + 1),
        ));
        let batch = self.config.batch_size.max(1);
        let batches = order.len().div_ceil(batch);
        let (mut loss_sum, mut correct, mut seen) = (0f64, 0usize, 0usize);
        let mut grad = vec![0f32; self.params.data.len()];
        let losses: Vec<std::sync::Mutex<(f64, usize)>> = (0..self.slots.len()).map(|_| Default::default()).collect();
        for (bi, ids) in order.chunks(batch).enumerate() {
            let params = &self.params;
            let seed = self.config.seed;
            let distortion = self.config.distortion;
            for_each_chunk(&mut self.slots, |ci, (ws, g, x)| {
                g.fill(0.0);
                let start = ci * CHUNK;
                if start >= ids.len() {
                    return;
                }
                let mine = &ids[start..(start + CHUNK).min(ids.len())];
                let mut labels = [0u8; CHUNK];
                for (k, &i) in mine.iter().enumerate() {
                    let out = &mut x[k * INPUT_LEN..][..INPUT_LEN];
                    labels[k] = train.example(i, distortion.as_ref(), &mut digit_rng(seed, epoch, i), out);
                }
                ws.forward(params, &x[..mine.len() * INPUT_LEN]);
                let stats = ws.loss(&labels[..mine.len()]);
                ws.backward(params, &labels[..mine.len()], ids.len(), g);
                if let Ok(mut l) = losses[ci].lock() {
                    *l = stats;
                }
            });
            sum_gradients(&mut grad, &self.slots[..ids.len().div_ceil(CHUNK)]);
            for l in &losses {
                if let Ok(mut l) = l.lock() {
                    loss_sum += l.0;
                    correct += l.1;
                    *l = (0.0, 0);
                }
            }
            self.params.mask_grad(&mut grad);
            let lr = learning_rate(self.config.lr, self.step, self.total_steps);
            self.adam.step(&mut self.params.data, &grad, lr);
            self.step += 1;
            seen += ids.len();
            progress(bi + 1, batches, loss_sum / seen as f64);
        }
        (loss_sum / seen.max(1) as f64, correct as f64 / seen.max(1) as f64)
    }
}

/// Outcome of running the network over a labelled set.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Evaluation {
    pub accuracy: f64,
    /// `confusion[true][predicted]`.
    pub confusion: [[u32; CLASSES]; CLASSES],
    pub loss: f64,
}

impl Evaluation {
    /// Accuracy per true digit.
    pub fn per_class(&self) -> [f64; CLASSES] {
        let mut out = [0f64; CLASSES];
        for (k, row) in self.confusion.iter().enumerate() {
            let total: u32 = row.iter().sum();
            out[k] = if total == 0 {
                0.0
            } else {
                f64::from(row[k]) / f64::from(total)
            };
        }
        out
    }
}

/// Softmax outputs for undistorted digits, `[n][10]`.
pub fn predict_all(params: &Params, samples: Samples<'_>) -> Vec<f32> {
    let mut x = vec![0f32; samples.len() * INPUT_LEN];
    for (k, out) in x.chunks_exact_mut(INPUT_LEN).enumerate() {
        augment::place(samples.image(k), out);
    }
    predict_inputs(params, &x)
}

/// Softmax outputs for network inputs (32x32 each, back to back), `[n][10]`.
pub fn predict_inputs(params: &Params, inputs: &[f32]) -> Vec<f32> {
    const EVAL_CHUNK: usize = 250;
    let n = inputs.len() / INPUT_LEN;
    let mut probs = vec![0f32; n * CLASSES];
    let run = |(ci, out): (usize, &mut [f32])| {
        let start = ci * EVAL_CHUNK;
        let count = out.len() / CLASSES;
        let mut ws = Workspace::new(count);
        ws.forward(params, &inputs[start * INPUT_LEN..][..count * INPUT_LEN]);
        out.copy_from_slice(&ws.probs[..count * CLASSES]);
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        probs.par_chunks_mut(EVAL_CHUNK * CLASSES).enumerate().for_each(run);
    }
    #[cfg(target_arch = "wasm32")]
    probs.chunks_mut(EVAL_CHUNK * CLASSES).enumerate().for_each(run);
    probs
}

/// Area under the ROC curve of telling `positives` from `negatives` by score (higher =
/// positive): the chance a random positive scores above a random negative, ties half.
pub fn auroc(positives: &[f32], negatives: &[f32]) -> f64 {
    if positives.is_empty() || negatives.is_empty() {
        return f64::NAN;
    }
    let mut neg = negatives.to_vec();
    neg.sort_by(f32::total_cmp);
    let mut wins = 0f64;
    for &p in positives {
        let below = neg.partition_point(|&v| v < p);
        let tied = neg[below..].partition_point(|&v| v <= p);
        wins += below as f64 + 0.5 * tied as f64;
    }
    wins / (positives.len() as f64 * neg.len() as f64)
}

/// Accuracy, confusion matrix and mean loss on undistorted digits.
pub fn evaluate(params: &Params, samples: Samples<'_>) -> Evaluation {
    let probs = predict_all(params, samples);
    let mut confusion = [[0u32; CLASSES]; CLASSES];
    let mut loss = 0f64;
    for (i, p) in probs.chunks_exact(CLASSES).enumerate() {
        let label = samples.labels[i] as usize;
        confusion[label][net::argmax(p)] += 1;
        loss -= f64::from(p[label].max(1e-12)).ln();
    }
    let correct: u32 = (0..CLASSES).map(|k| confusion[k][k]).sum();
    let n = samples.len().max(1) as f64;
    Evaluation {
        accuracy: f64::from(correct) / n,
        confusion,
        loss: loss / n,
    }
}

/// A random generator for callers that need one seeded like the trainer.
pub fn rng(seed: u64) -> impl Rng {
    ChaCha8Rng::seed_from_u64(seed)
}
