//! LeNet-5 for training: parameters, forward and backward passes for a chunk of digits.
//!
//! Purpose-built for this one network (no autograd, no framework) because the ready Rust
//! stacks were 5x slower than PyTorch on it (docs/performance.md). Convolutions are im2col + one GEMM
//! per layer over the whole chunk (ndarray's safe wrapper over `matrixmultiply`), so each GEMM
//! is large enough to run near peak. Activations use the layout `[channel][sample][y][x]`,
//! which is exactly what the GEMMs produce and consume.
//!
//! Plain Rust with no threads or native-only dependencies, so the same code fine-tunes in the
//! browser; [`super::trainer`] adds parallelism over chunks on native targets.
//!
//! Layers (LeCun et al. 1998 sizes, modern ReLU + max-pooling + softmax):
//! C1 conv 6@5x5 → 28x28 · S2 max 2x2 → 14x14 · C3 conv 16@5x5 → 10x10 (dense or the paper's
//! connection table) · S4 max 2x2 → 5x5 · C5 conv 120@5x5 → 1x1 · F6 dense 84 · output dense 10.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::onnx::contract::{CLASSES, INPUT_LEN, INPUT_SIDE};

/// The label of a training example that is not a digit (outlier exposure, Hendrycks et al.
/// 2019): its target is the uniform distribution over the ten digits.
pub const OUTLIER: u8 = CLASSES as u8;
/// Weight of an outlier's loss relative to a digit's (the paper's λ = 0.5).
pub const OUTLIER_WEIGHT: f32 = 0.5;

const K: usize = 5;
const KK: usize = K * K;
const C1: usize = 6;
const H1: usize = 28;
const P1: usize = 14;
const C3: usize = 16;
const H3: usize = 10;
const P3: usize = 5;
const C5: usize = 120;
const F6: usize = 84;
const FLAT: usize = C3 * P3 * P3;

/// How C3 connects to S2's maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum C3Mode {
    /// Every C3 map sees all 6 S2 maps.
    Full,
    /// LeCun et al. 1998, Table I: maps 0-5 see 3 contiguous S2 maps, 6-11 see 4 contiguous,
    /// 12-14 see 4 non-contiguous, 15 sees all 6 (60 connections instead of 96).
    Paper,
}

impl C3Mode {
    pub fn name(self) -> &'static str {
        match self {
            C3Mode::Full => "full",
            C3Mode::Paper => "paper",
        }
    }

    /// Whether C3 map `out` reads S2 map `inp`.
    pub fn connected(self, out: usize, inp: usize) -> bool {
        match self {
            C3Mode::Full => true,
            C3Mode::Paper => paper_table(out, inp),
        }
    }
}

/// LeCun et al. 1998, Table I (columns = C3 maps, rows = S2 maps).
fn paper_table(out: usize, inp: usize) -> bool {
    match out {
        0..=5 => (inp + 6 - out) % 6 < 3,
        6..=11 => (inp + 6 - (out - 6)) % 6 < 4,
        12..=14 => {
            let s = out - 12;
            [s, s + 1, s + 3, s + 4].iter().any(|&k| k % 6 == inp)
        }
        _ => true,
    }
}

/// One named parameter tensor inside the flat parameter vector.
#[derive(Clone, Copy, Debug)]
pub struct Tensor {
    pub name: &'static str,
    pub shape: &'static [usize],
    pub offset: usize,
    pub len: usize,
}

macro_rules! layout {
    ($($id:ident = $name:literal $shape:expr),* $(,)?) => {
        const SHAPES: &[(&str, &[usize])] = &[$(($name, &$shape)),*];
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        enum P { $($id),* }
    };
}

layout! {
    C1W = "c1.weight" [C1, 1, K, K],
    C1B = "c1.bias" [C1],
    C3W = "c3.weight" [C3, C1, K, K],
    C3B = "c3.bias" [C3],
    C5W = "c5.weight" [C5, C3, K, K],
    C5B = "c5.bias" [C5],
    F6W = "f6.weight" [F6, C5],
    F6B = "f6.bias" [F6],
    OUTW = "output.weight" [CLASSES, F6],
    OUTB = "output.bias" [CLASSES],
}

/// The parameter tensors in storage order.
pub fn tensors() -> Vec<Tensor> {
    let mut offset = 0;
    SHAPES
        .iter()
        .map(|&(name, shape)| {
            let len = shape.iter().product();
            let t = Tensor {
                name,
                shape,
                offset,
                len,
            };
            offset += len;
            t
        })
        .collect()
}

/// Number of trainable values (61,706).
pub fn param_count() -> usize {
    SHAPES.iter().map(|(_, s)| s.iter().product::<usize>()).sum()
}

fn range(p: P) -> std::ops::Range<usize> {
    let size = |s: &[usize]| s.iter().product::<usize>();
    let i = p as usize;
    let offset: usize = SHAPES[..i].iter().map(|(_, s)| size(s)).sum();
    offset..offset + size(SHAPES[i].1)
}

/// All weights and biases of the network in one flat vector (the layout of [`tensors`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub data: Vec<f32>,
    pub c3: C3Mode,
}

/// Slices of a flat vector by layer: the same layout serves weights, gradients and moments.
struct Slices<'a> {
    c1w: &'a [f32],
    c1b: &'a [f32],
    c3w: &'a [f32],
    c3b: &'a [f32],
    c5w: &'a [f32],
    c5b: &'a [f32],
    f6w: &'a [f32],
    f6b: &'a [f32],
    ow: &'a [f32],
    ob: &'a [f32],
}

fn slices(d: &[f32]) -> Slices<'_> {
    Slices {
        c1w: &d[range(P::C1W)],
        c1b: &d[range(P::C1B)],
        c3w: &d[range(P::C3W)],
        c3b: &d[range(P::C3B)],
        c5w: &d[range(P::C5W)],
        c5b: &d[range(P::C5B)],
        f6w: &d[range(P::F6W)],
        f6b: &d[range(P::F6B)],
        ow: &d[range(P::OUTW)],
        ob: &d[range(P::OUTB)],
    }
}

impl Params {
    /// He-uniform weights (suited to ReLU), zero biases; deterministic for a seed.
    pub fn init(seed: u64, c3: C3Mode) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut data = vec![0f32; param_count()];
        for (p, fan_in) in [
            (P::C1W, KK),
            (P::C3W, 0),
            (P::C5W, C3 * KK),
            (P::F6W, C5),
            (P::OUTW, F6),
        ] {
            let r = range(p);
            let per_out = match p {
                P::C1W => KK,
                P::C3W => C1 * KK,
                P::C5W => C3 * KK,
                P::F6W => C5,
                _ => F6,
            };
            for (i, w) in data[r].iter_mut().enumerate() {
                let (o, inp) = (i / per_out, (i % per_out) / KK);
                let fan = if matches!(p, P::C3W) {
                    (0..C1).filter(|&k| c3.connected(o, k)).count() * KK
                } else {
                    fan_in
                };
                // The output layer feeds a softmax, not a ReLU: LeCun-uniform there.
                let gain = if matches!(p, P::OUTW) { 3.0 } else { 6.0 };
                let bound = (gain / fan as f32).sqrt();
                let connected = !matches!(p, P::C3W) || c3.connected(o, inp);
                *w = if connected {
                    rng.random_range(-bound..bound)
                } else {
                    0.0
                };
            }
        }
        Params { data, c3 }
    }

    /// 1 where a C3 weight exists, 0 where the connection table cuts it (all 1 for `Full`).
    pub fn c3_mask(c3: C3Mode) -> Vec<f32> {
        (0..C3 * C1 * KK)
            .map(|i| {
                if c3.connected(i / (C1 * KK), (i / KK) % C1) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Zeroes the gradient of cut C3 connections so they stay exactly zero.
    pub fn mask_grad(&self, grad: &mut [f32]) {
        if self.c3 == C3Mode::Full {
            return;
        }
        let r = range(P::C3W);
        for (g, m) in grad[r].iter_mut().zip(Self::c3_mask(self.c3)) {
            *g *= m;
        }
    }

    /// The named tensors with their values, for export.
    pub fn named(&self) -> Vec<(Tensor, &[f32])> {
        tensors()
            .into_iter()
            .map(|t| (t, &self.data[t.offset..t.offset + t.len]))
            .collect()
    }
}

fn view<'a>(d: &'a [f32], rows: usize, cols: usize) -> ArrayView2<'a, f32> {
    ArrayView2::from_shape((rows, cols), &d[..rows * cols]).expect("internal: matrix shape")
}

fn view_mut<'a>(d: &'a mut [f32], rows: usize, cols: usize) -> ArrayViewMut2<'a, f32> {
    ArrayViewMut2::from_shape((rows, cols), &mut d[..rows * cols]).expect("internal: matrix shape")
}

/// Buffers for one chunk of up to `cap` digits, reused across steps (no allocation per step).
#[derive(Clone, Debug)]
pub struct Workspace {
    cap: usize,
    n: usize,
    /// The chunk's inputs, kept for C1's weight gradient.
    input: Vec<f32>,
    z1: Vec<f32>,
    p1: Vec<f32>,
    arg1: Vec<u8>,
    cols3: Vec<f32>,
    z3: Vec<f32>,
    p3: Vec<f32>,
    arg3: Vec<u8>,
    flat: Vec<f32>,
    z5: Vec<f32>,
    z6: Vec<f32>,
    z7: Vec<f32>,
    /// Softmax outputs of the last forward pass, `[n][10]`.
    pub probs: Vec<f32>,
    // Backward buffers.
    d7: Vec<f32>,
    d6: Vec<f32>,
    d5: Vec<f32>,
    dflat: Vec<f32>,
    d3: Vec<f32>,
    dcols3: Vec<f32>,
    dp1: Vec<f32>,
    d1: Vec<f32>,
}

impl Workspace {
    pub fn new(cap: usize) -> Self {
        let z = |len: usize| vec![0f32; len * cap];
        Workspace {
            cap,
            n: 0,
            input: z(INPUT_LEN),
            z1: z(C1 * H1 * H1),
            p1: z(C1 * P1 * P1),
            arg1: vec![0; C1 * P1 * P1 * cap],
            cols3: z(C1 * KK * H3 * H3),
            z3: z(C3 * H3 * H3),
            p3: z(FLAT),
            arg3: vec![0; FLAT * cap],
            flat: z(FLAT),
            z5: z(C5),
            z6: z(F6),
            z7: z(CLASSES),
            probs: z(CLASSES),
            d7: z(CLASSES),
            d6: z(F6),
            d5: z(C5),
            dflat: z(FLAT),
            d3: z(C3 * H3 * H3),
            dcols3: z(C1 * KK * H3 * H3),
            dp1: z(C1 * P1 * P1),
            d1: z(C1 * H1 * H1),
        }
    }

    /// Capacity in digits.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// C1 activations (after ReLU) of the last forward pass, `[6][n][28][28]`: for one digit,
    /// the channel-major maps the page shows.
    pub fn c1(&self) -> &[f32] {
        &self.z1[..C1 * self.n * H1 * H1]
    }

    /// C3 activations (after ReLU) of the last forward pass, `[16][n][10][10]`.
    pub fn c3(&self) -> &[f32] {
        &self.z3[..C3 * self.n * H3 * H3]
    }

    /// Forward pass over `inputs` (`n` digits of 32x32); fills [`Workspace::probs`].
    pub fn forward(&mut self, params: &Params, inputs: &[f32]) {
        let n = inputs.len() / INPUT_LEN;
        assert!(
            n <= self.cap && n * INPUT_LEN == inputs.len(),
            "internal: chunk larger than workspace"
        );
        self.n = n;
        let s = slices(&params.data);

        // C1 directly (one input channel: im2col + GEMM would spend its time packing 25-row
        // panels); rows of 28 contiguous values vectorise well.
        let m1 = n * H1 * H1;
        self.input[..n * INPUT_LEN].copy_from_slice(inputs);
        for o in 0..C1 {
            let w = &s.c1w[o * KK..][..KK];
            for b in 0..n {
                let img = &inputs[b * INPUT_LEN..][..INPUT_LEN];
                let map = &mut self.z1[(o * n + b) * H1 * H1..][..H1 * H1];
                map.fill(s.c1b[o]);
                for y in 0..H1 {
                    let row = &mut map[y * H1..][..H1];
                    for ky in 0..K {
                        let src = &img[(y + ky) * INPUT_SIDE..][..INPUT_SIDE];
                        for kx in 0..K {
                            let wk = w[ky * K + kx];
                            for (r, v) in row.iter_mut().zip(&src[kx..kx + H1]) {
                                *r += wk * v;
                            }
                        }
                    }
                }
            }
        }
        relu(&mut self.z1[..C1 * m1]);
        max_pool(&self.z1, &mut self.p1, &mut self.arg1, C1 * n, H1);

        // C3: im2col [150, n*100] from [6][n][14][14].
        let m3 = n * H3 * H3;
        for c in 0..C1 {
            for ky in 0..K {
                for kx in 0..K {
                    let row = &mut self.cols3[((c * K + ky) * K + kx) * m3..][..m3];
                    for b in 0..n {
                        let map = &self.p1[(c * n + b) * P1 * P1..][..P1 * P1];
                        for oy in 0..H3 {
                            let src = &map[(oy + ky) * P1 + kx..][..H3];
                            row[b * H3 * H3 + oy * H3..][..H3].copy_from_slice(src);
                        }
                    }
                }
            }
        }
        conv_gemm(s.c3w, s.c3b, &self.cols3, &mut self.z3, C3, C1 * KK, m3);
        relu(&mut self.z3[..C3 * m3]);
        max_pool(&self.z3, &mut self.p3, &mut self.arg3, C3 * n, H3);

        // Flatten [16][n][25] → [n][400] (index c*25 + y*5 + x, as ONNX's Conv C5 reads it).
        for c in 0..C3 {
            for b in 0..n {
                self.flat[b * FLAT + c * P3 * P3..][..P3 * P3]
                    .copy_from_slice(&self.p3[(c * n + b) * P3 * P3..][..P3 * P3]);
            }
        }
        dense(&self.flat, s.c5w, s.c5b, &mut self.z5, n, FLAT, C5);
        relu(&mut self.z5[..n * C5]);
        dense(&self.z5, s.f6w, s.f6b, &mut self.z6, n, C5, F6);
        relu(&mut self.z6[..n * F6]);
        dense(&self.z6, s.ow, s.ob, &mut self.z7, n, F6, CLASSES);
        for b in 0..n {
            softmax(
                &self.z7[b * CLASSES..][..CLASSES],
                &mut self.probs[b * CLASSES..][..CLASSES],
            );
        }
    }

    /// Summed loss and number of right answers of the last forward pass: cross-entropy for a
    /// digit (right when it is the top answer); for an [`OUTLIER`], [`OUTLIER_WEIGHT`] times the
    /// cross-entropy to the uniform distribution (right when no digit reaches 0.5).
    pub fn loss(&self, labels: &[u8]) -> (f64, usize) {
        let mut loss = 0f64;
        let mut correct = 0;
        for (b, &l) in labels.iter().enumerate().take(self.n) {
            let p = &self.probs[b * CLASSES..][..CLASSES];
            if l == OUTLIER {
                let mean_log: f64 = p.iter().map(|&v| f64::from(v.max(1e-12)).ln()).sum::<f64>() / CLASSES as f64;
                loss -= f64::from(OUTLIER_WEIGHT) * mean_log;
                correct += usize::from(p.iter().all(|&v| v < 0.5));
                continue;
            }
            loss -= f64::from(p[l as usize].max(1e-12)).ln();
            if argmax(p) == l as usize {
                correct += 1;
            }
        }
        (loss, correct)
    }

    /// Backward pass of the mean cross-entropy over `scale_n` digits (the whole minibatch,
    /// of which this chunk is part); adds the gradient to `grad`. Call after [`Self::forward`].
    pub fn backward(&mut self, params: &Params, labels: &[u8], scale_n: usize, grad: &mut [f32]) {
        let n = self.n;
        let s = slices(&params.data);
        let inv = 1.0 / scale_n as f32;
        for (b, &label) in labels.iter().enumerate().take(n) {
            for k in 0..CLASSES {
                let d = &mut self.d7[b * CLASSES + k];
                let p = self.probs[b * CLASSES + k];
                *d = if label == OUTLIER {
                    OUTLIER_WEIGHT * (p - 1.0 / CLASSES as f32) * inv
                } else {
                    (p - if label as usize == k { 1.0 } else { 0.0 }) * inv
                };
            }
        }
        let (g_c1, rest) = grad.split_at_mut(range(P::C3W).start);
        let (g_c3, rest) = rest.split_at_mut(range(P::C5W).start - range(P::C3W).start);
        let (g_c5, rest) = rest.split_at_mut(range(P::F6W).start - range(P::C5W).start);
        let (g_f6, g_out) = rest.split_at_mut(range(P::OUTW).start - range(P::F6W).start);

        dense_backward(&self.d7, &self.z6, s.ow, g_out, Some(&mut self.d6), n, F6, CLASSES);
        relu_backward(&mut self.d6[..n * F6], &self.z6);
        dense_backward(&self.d6, &self.z5, s.f6w, g_f6, Some(&mut self.d5), n, C5, F6);
        relu_backward(&mut self.d5[..n * C5], &self.z5);
        dense_backward(&self.d5, &self.flat, s.c5w, g_c5, Some(&mut self.dflat), n, FLAT, C5);

        // Unflatten into S4's layout and route through the max-pool, then ReLU.
        let m3 = n * H3 * H3;
        self.d3[..C3 * m3].fill(0.0);
        for c in 0..C3 {
            for b in 0..n {
                for k in 0..P3 * P3 {
                    let pi = (c * n + b) * P3 * P3 + k;
                    let g = self.dflat[b * FLAT + c * P3 * P3 + k];
                    self.d3[pool_source(pi, self.arg3[pi], H3)] += g;
                }
            }
        }
        relu_backward(&mut self.d3[..C3 * m3], &self.z3);
        conv_backward(
            &self.d3,
            &self.cols3,
            s.c3w,
            g_c3,
            Some(&mut self.dcols3),
            C3,
            C1 * KK,
            m3,
        );

        // col2im into S2's output, through the pool, then ReLU.
        self.dp1[..C1 * n * P1 * P1].fill(0.0);
        for c in 0..C1 {
            for ky in 0..K {
                for kx in 0..K {
                    let row = &self.dcols3[((c * K + ky) * K + kx) * m3..][..m3];
                    for b in 0..n {
                        let map = &mut self.dp1[(c * n + b) * P1 * P1..][..P1 * P1];
                        for oy in 0..H3 {
                            let dst = &mut map[(oy + ky) * P1 + kx..][..H3];
                            for (d, g) in dst.iter_mut().zip(&row[b * H3 * H3 + oy * H3..][..H3]) {
                                *d += g;
                            }
                        }
                    }
                }
            }
        }
        let m1 = n * H1 * H1;
        self.d1[..C1 * m1].fill(0.0);
        for pi in 0..C1 * n * P1 * P1 {
            self.d1[pool_source(pi, self.arg1[pi], H1)] += self.dp1[pi];
        }
        relu_backward(&mut self.d1[..C1 * m1], &self.z1);
        // dW1[o][ky][kx] = Σ d1[o][b][y][x] · input[b][y+ky][x+kx], directly (see forward).
        let (gw, gb) = g_c1.split_at_mut(C1 * KK);
        for o in 0..C1 {
            for b in 0..n {
                let img = &self.input[b * INPUT_LEN..][..INPUT_LEN];
                let d = &self.d1[(o * n + b) * H1 * H1..][..H1 * H1];
                gb[o] += d.iter().sum::<f32>();
                for ky in 0..K {
                    for kx in 0..K {
                        let mut acc = 0f32;
                        for y in 0..H1 {
                            let src = &img[(y + ky) * INPUT_SIDE + kx..][..H1];
                            acc += d[y * H1..][..H1].iter().zip(src).map(|(a, b)| a * b).sum::<f32>();
                        }
                        gw[o * KK + ky * K + kx] += acc;
                    }
                }
            }
        }
    }
}

/// `out[o][m] = w[o][:] · cols[:][m] + b[o]`.
fn conv_gemm(w: &[f32], b: &[f32], cols: &[f32], out: &mut [f32], outs: usize, k: usize, m: usize) {
    for (o, row) in out[..outs * m].chunks_exact_mut(m).enumerate() {
        row.fill(b[o]);
    }
    general_mat_mul(
        1.0,
        &view(w, outs, k),
        &view(cols, k, m),
        1.0,
        &mut view_mut(out, outs, m),
    );
}

/// Gradients of a GEMM convolution: dW += d·colsᵀ, db += Σ d, and optionally dcols = Wᵀ·d.
#[allow(clippy::too_many_arguments)]
fn conv_backward(
    d: &[f32],
    cols: &[f32],
    w: &[f32],
    g: &mut [f32],
    dcols: Option<&mut Vec<f32>>,
    outs: usize,
    k: usize,
    m: usize,
) {
    let (gw, gb) = g.split_at_mut(outs * k);
    general_mat_mul(
        1.0,
        &view(d, outs, m),
        &view(cols, k, m).t(),
        1.0,
        &mut view_mut(gw, outs, k),
    );
    for (o, row) in d[..outs * m].chunks_exact(m).enumerate() {
        gb[o] += row.iter().sum::<f32>();
    }
    if let Some(dc) = dcols {
        general_mat_mul(
            1.0,
            &view(w, outs, k).t(),
            &view(d, outs, m),
            0.0,
            &mut view_mut(dc, k, m),
        );
    }
}

/// `out[b][o] = x[b][:] · w[o][:] + bias[o]`.
fn dense(x: &[f32], w: &[f32], bias: &[f32], out: &mut [f32], n: usize, inp: usize, outs: usize) {
    for row in out[..n * outs].chunks_exact_mut(outs) {
        row.copy_from_slice(bias);
    }
    general_mat_mul(
        1.0,
        &view(x, n, inp),
        &view(w, outs, inp).t(),
        1.0,
        &mut view_mut(out, n, outs),
    );
}

/// Gradients of a dense layer: dW += dᵀ·x, db += Σ d, and optionally dx = d·W.
#[allow(clippy::too_many_arguments)]
fn dense_backward(
    d: &[f32],
    x: &[f32],
    w: &[f32],
    g: &mut [f32],
    dx: Option<&mut Vec<f32>>,
    n: usize,
    inp: usize,
    outs: usize,
) {
    let (gw, gb) = g.split_at_mut(outs * inp);
    general_mat_mul(
        1.0,
        &view(d, n, outs).t(),
        &view(x, n, inp),
        1.0,
        &mut view_mut(gw, outs, inp),
    );
    for row in d[..n * outs].chunks_exact(outs) {
        for (b, v) in gb.iter_mut().zip(row) {
            *b += v;
        }
    }
    if let Some(dx) = dx {
        general_mat_mul(
            1.0,
            &view(d, n, outs),
            &view(w, outs, inp),
            0.0,
            &mut view_mut(dx, n, inp),
        );
    }
}

fn relu(x: &mut [f32]) {
    x.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// Zeroes the gradient where the ReLU was off (`z` holds the ReLU's output).
fn relu_backward(d: &mut [f32], z: &[f32]) {
    for (g, &v) in d.iter_mut().zip(z) {
        if v <= 0.0 {
            *g = 0.0;
        }
    }
}

/// 2x2 max-pool of `maps` square maps of side `h`; records which of the 4 won.
fn max_pool(x: &[f32], out: &mut [f32], arg: &mut [u8], maps: usize, h: usize) {
    let p = h / 2;
    for m in 0..maps {
        let src = &x[m * h * h..][..h * h];
        for y in 0..p {
            for xx in 0..p {
                let i = (2 * y) * h + 2 * xx;
                let c = [src[i], src[i + 1], src[i + h], src[i + h + 1]];
                let mut best = 0;
                for k in 1..4 {
                    if c[k] > c[best] {
                        best = k;
                    }
                }
                out[m * p * p + y * p + xx] = c[best];
                arg[m * p * p + y * p + xx] = best as u8;
            }
        }
    }
}

/// Index in the pooled layer's input of the winner for pooled index `pi`.
fn pool_source(pi: usize, arg: u8, h: usize) -> usize {
    let p = h / 2;
    let (m, r) = (pi / (p * p), pi % (p * p));
    let (y, x) = (r / p, r % p);
    m * h * h + (2 * y + usize::from(arg / 2)) * h + 2 * x + usize::from(arg % 2)
}

fn softmax(z: &[f32], p: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0f32;
    for (o, &v) in p.iter_mut().zip(z) {
        *o = (v - max).exp();
        sum += *o;
    }
    p.iter_mut().for_each(|v| *v /= sum);
}

/// Index of the largest value.
pub fn argmax(p: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}
