//! LeNet-5 for training: parameters, forward and backward passes for a chunk of digits.
//!
//! Purpose-built for this one network (no autograd, no framework) because the ready Rust
//! stacks were 5x slower than PyTorch on it (docs/performance.md). C1 is a direct convolution;
//! C3's forward is im2col + one GEMM over the whole chunk. Both backward passes visit only the
//! max-pools' winners that the ReLU let through (at most a quarter of the outputs) instead of
//! a dense GEMM. The dense layers' forward uses ndarray's safe wrapper over `matrixmultiply`;
//! the other products use [`gemm_at`], which reads its operands in place. Activations use the
//! layout `[channel][sample][y][x]`, which is exactly what the GEMMs produce and consume.
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
    dp1: Vec<f32>,
    /// A layer's output gradient transposed, `[outputs][n]`.
    dt: Vec<f32>,
}

impl Workspace {
    pub fn new(cap: usize) -> Self {
        let z = |len: usize| vec![0f32; len * cap];
        Workspace {
            cap,
            n: 0,
            // LANES more: C1's backward reads a lane-wide row from the last patch's corner.
            input: vec![0f32; INPUT_LEN * cap + LANES],
            z1: z(C1 * H1 * H1),
            // LANES more: C3's backward reads and writes lane-wide rows from a patch's corner.
            p1: vec![0f32; C1 * P1 * P1 * cap + LANES],
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
            dp1: vec![0f32; C1 * P1 * P1 * cap + LANES],
            dt: z(C5),
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
        // panels), ReLU folded in.
        self.input[..n * INPUT_LEN].copy_from_slice(inputs);
        c1_forward(s.c1w, s.c1b, inputs, &mut self.z1, n);
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
        // wt[k][o]: the weights as the GEMM's broadcast operand.
        let mut wt = [0f32; C3 * C1 * KK];
        for (k, row) in wt.chunks_exact_mut(C3).enumerate() {
            for (o, v) in row.iter_mut().enumerate() {
                *v = s.c3w[o * C1 * KK + k];
            }
        }
        for (row, &bias) in self.z3[..C3 * m3].chunks_exact_mut(m3).zip(s.c3b) {
            row.fill(bias);
        }
        gemm_at(&wt, &self.cols3, &mut self.z3, C3, C1 * KK, m3);
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

        dense_backward(
            &self.d7,
            &self.z6,
            s.ow,
            g_out,
            Some((&mut self.d6, &mut self.dt)),
            n,
            F6,
            CLASSES,
        );
        relu_backward(&mut self.d6[..n * F6], &self.z6);
        dense_backward(
            &self.d6,
            &self.z5,
            s.f6w,
            g_f6,
            Some((&mut self.d5, &mut self.dt)),
            n,
            C5,
            F6,
        );
        relu_backward(&mut self.d5[..n * C5], &self.z5);
        dense_backward(
            &self.d5,
            &self.flat,
            s.c5w,
            g_c5,
            Some((&mut self.dflat, &mut self.dt)),
            n,
            FLAT,
            C5,
        );

        c3_backward(
            &self.p1,
            &self.z3,
            &self.arg3,
            &self.dflat,
            s.c3w,
            g_c3,
            &mut self.dp1,
            n,
        );
        // C1's gradient is non-zero only where S2's max-pool took its value and the ReLU let
        // it through (the pooled value > 0): C1's weight gradient sums a 5x5 input patch per
        // such winner, a quarter of the positions of a dense correlation.
        c1_backward(&self.input, &self.p1, &self.arg1, &self.dp1, g_c1, n);
    }
}

/// Width of the fixed-size rows the hand-written loops work on (one AVX register; two SSE
/// ones): plain arrays that the compiler vectorises, same arithmetic on every target.
const LANES: usize = 8;

/// C1 with ReLU: `z1[o][b][y][x] = max(0, bias[o] + Σ w[o][ky][kx] · input[b][y+ky][x+kx])`,
/// summed in (ky, kx) order. Each step computes 8 neighbouring outputs of all 6 maps from one
/// input row slice, keeping the 6x8 sums in registers; x starts 0, 8, 16 and 20 cover the 28
/// columns (20..24 twice, with the same result).
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn c1_forward(w: &[f32], bias: &[f32], inputs: &[f32], z1: &mut [f32], n: usize) {
    // wt[ky*5+kx][o]: the 6 maps' weights for one tap side by side.
    let mut wt = [[0f32; C1]; KK];
    for (k, t) in wt.iter_mut().enumerate() {
        for (o, v) in t.iter_mut().enumerate() {
            *v = w[o * KK + k];
        }
    }
    for b in 0..n {
        let img = &inputs[b * INPUT_LEN..][..INPUT_LEN];
        for y in 0..H1 {
            for x0 in [0, LANES, 2 * LANES, H1 - LANES] {
                let mut acc = [[0f32; LANES]; C1];
                for (a, &bo) in acc.iter_mut().zip(bias) {
                    *a = [bo; LANES];
                }
                for (ky, wrow) in wt.chunks_exact(K).enumerate() {
                    let row = &img[(y + ky) * INPUT_SIDE + x0..][..K - 1 + LANES];
                    for (kx, wk) in wrow.iter().enumerate() {
                        let v: &[f32; LANES] = row[kx..kx + LANES].try_into().expect("internal: lane slice");
                        for (a, &wk) in acc.iter_mut().zip(wk) {
                            for (al, &vl) in a.iter_mut().zip(v) {
                                *al += wk * vl;
                            }
                        }
                    }
                }
                for (o, a) in acc.iter().enumerate() {
                    let dst = &mut z1[((o * n + b) * H1 + y) * H1 + x0..][..LANES];
                    for (d, &al) in dst.iter_mut().zip(a) {
                        *d = al.max(0.0);
                    }
                }
            }
        }
    }
}

/// C1's weight and bias gradients from S2's gradient `dp1` (`[6][n][14][14]`): only the
/// pool's winners (`arg1`) whose pooled value `p1` is above 0 carry a gradient, and each adds
/// its 5x5 input patch. `input` holds the chunk's inputs and at least [`LANES`] more values.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn c1_backward(input: &[f32], p1: &[f32], arg1: &[u8], dp1: &[f32], g_c1: &mut [f32], n: usize) {
    /// A 5x5 patch's rows in the input, each lane-wide.
    const PATCH: usize = (K - 1) * INPUT_SIDE + LANES;
    let (gw, gb) = g_c1.split_at_mut(C1 * KK);
    for o in 0..C1 {
        // acc[ky][kx]: lanes 5..8 collect the neighbours' products and are dropped.
        let mut acc = [[0f32; LANES]; K];
        let mut bias = 0f32;
        for b in 0..n {
            let img = &input[b * INPUT_LEN..];
            let base = (o * n + b) * P1 * P1;
            for (p, ((&pv, &a), &g)) in p1[base..][..P1 * P1]
                .iter()
                .zip(&arg1[base..][..P1 * P1])
                .zip(&dp1[base..][..P1 * P1])
                .enumerate()
            {
                if pv <= 0.0 {
                    continue;
                }
                bias += g;
                let y = 2 * (p / P1) + usize::from(a / 2);
                let x = 2 * (p % P1) + usize::from(a % 2);
                let patch: &[f32; PATCH] = img[y * INPUT_SIDE + x..][..PATCH].try_into().expect("internal: patch");
                for (ky, row) in acc.iter_mut().enumerate() {
                    for (r, &v) in row.iter_mut().zip(&patch[ky * INPUT_SIDE..][..LANES]) {
                        *r += g * v;
                    }
                }
            }
        }
        gb[o] += bias;
        for (ky, row) in acc.iter().enumerate() {
            for (kx, &v) in row[..K].iter().enumerate() {
                gw[o * KK + ky * K + kx] += v;
            }
        }
    }
}

/// C3's gradients from S4's gradient `dflat` (`[n][400]`, the flattened layout): only a
/// pool's winner (`arg3`) whose value in `z3` is above 0 carries one, at most a quarter of C3's
/// outputs, so each such output adds its 6x5x5 input patch to the weight gradient and its
/// weights times its gradient to S2's gradient `dp1` (zeroed first), in place of a dense
/// GEMM over all outputs. `p1` and `dp1` hold at least [`LANES`] values past the maps.
#[allow(clippy::too_many_arguments)]
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn c3_backward(
    p1: &[f32],
    z3: &[f32],
    arg3: &[u8],
    dflat: &[f32],
    w: &[f32],
    g_c3: &mut [f32],
    dp1: &mut [f32],
    n: usize,
) {
    /// A 5x5 patch's rows in S2's map, each lane-wide.
    const PATCH: usize = (K - 1) * P1 + LANES;
    let (gw, gb) = g_c3.split_at_mut(C3 * C1 * KK);
    dp1[..C1 * n * P1 * P1].fill(0.0);
    for o in 0..C3 {
        // wr[c][ky]: one kernel row, lanes 5..8 zero (they add nothing to the neighbours).
        let mut wr = [[[0f32; LANES]; K]; C1];
        for (c, rows) in wr.iter_mut().enumerate() {
            for (ky, row) in rows.iter_mut().enumerate() {
                row[..K].copy_from_slice(&w[((o * C1 + c) * K + ky) * K..][..K]);
            }
        }
        // acc[c][ky][kx]: lanes 5..8 collect the neighbours' products and are dropped.
        let mut acc = [[[0f32; LANES]; K]; C1];
        let mut bias = 0f32;
        for b in 0..n {
            let m = o * n + b;
            let grads = &dflat[b * FLAT + o * P3 * P3..][..P3 * P3];
            let arg = &arg3[m * P3 * P3..][..P3 * P3];
            let z = &z3[m * H3 * H3..][..H3 * H3];
            for (k, (&g, &a)) in grads.iter().zip(arg).enumerate() {
                let y = 2 * (k / P3) + usize::from(a / 2);
                let x = 2 * (k % P3) + usize::from(a % 2);
                if z[y * H3 + x] <= 0.0 {
                    continue;
                }
                bias += g;
                for (c, (acc_c, wr_c)) in acc.iter_mut().zip(&wr).enumerate() {
                    let base = (c * n + b) * P1 * P1 + y * P1 + x;
                    let src: &[f32; PATCH] = p1[base..][..PATCH].try_into().expect("internal: patch");
                    let dst: &mut [f32; PATCH] = (&mut dp1[base..][..PATCH]).try_into().expect("internal: patch");
                    for (ky, (row, wrow)) in acc_c.iter_mut().zip(wr_c).enumerate() {
                        for (r, &v) in row.iter_mut().zip(&src[ky * P1..][..LANES]) {
                            *r += g * v;
                        }
                        for (d, &wv) in dst[ky * P1..][..LANES].iter_mut().zip(wrow) {
                            *d += wv * g;
                        }
                    }
                }
            }
        }
        gb[o] += bias;
        for (c, rows) in acc.iter().enumerate() {
            for (ky, row) in rows.iter().enumerate() {
                for (kx, &v) in row[..K].iter().enumerate() {
                    gw[((o * C1 + c) * K + ky) * K + kx] += v;
                }
            }
        }
    }
}

/// Columns per step of [`gemm_at`]: one AVX-512 register, two AVX ones.
const NB: usize = 16;

/// `out[i][j] += Σ_k at[k][i] · b[k][j]` for `rows` x `cols` outputs over `kk` terms, added in
/// k order to each output (so the result is the same on every target and thread count). Made
/// for a small `at` (read as broadcast scalars) and long rows of `b` (read in place): on C3's
/// and the dense layers' shapes, `matrixmultiply` spent as long packing `b` as multiplying.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn gemm_at(at: &[f32], b: &[f32], out: &mut [f32], rows: usize, kk: usize, cols: usize) {
    let mut i = 0;
    while i + 4 <= rows {
        gemm_rows::<4>(at, b, out, i, rows, kk, cols);
        i += 4;
    }
    while i < rows {
        gemm_rows::<1>(at, b, out, i, rows, kk, cols);
        i += 1;
    }
}

/// Rows `i0..i0 + R` of [`gemm_at`].
#[inline(always)]
fn gemm_rows<const R: usize>(at: &[f32], b: &[f32], out: &mut [f32], i0: usize, rows: usize, kk: usize, cols: usize) {
    let full = cols / NB * NB;
    for j in (0..full).step_by(NB) {
        let mut acc = [[0f32; NB]; R];
        for (r, a) in acc.iter_mut().enumerate() {
            *a = out[(i0 + r) * cols + j..][..NB]
                .try_into()
                .expect("internal: lane slice");
        }
        for k in 0..kk {
            let v: &[f32; NB] = b[k * cols + j..][..NB].try_into().expect("internal: lane slice");
            let w: &[f32; R] = at[k * rows + i0..][..R].try_into().expect("internal: lane slice");
            for (a, &wr) in acc.iter_mut().zip(w) {
                for (al, &vl) in a.iter_mut().zip(v) {
                    *al += wr * vl;
                }
            }
        }
        for (r, a) in acc.iter().enumerate() {
            out[(i0 + r) * cols + j..][..NB].copy_from_slice(a);
        }
    }
    for r in 0..R {
        for j in full..cols {
            let mut sum = out[(i0 + r) * cols + j];
            for k in 0..kk {
                sum += at[k * rows + i0 + r] * b[k * cols + j];
            }
            out[(i0 + r) * cols + j] = sum;
        }
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

/// Gradients of a dense layer: dW += dᵀ·x, db += Σ d, and optionally dx = d·W (`dt` is
/// room for dᵀ). Both products are [`gemm_at`]'s shape with the operands as stored.
#[allow(clippy::too_many_arguments)]
fn dense_backward(
    d: &[f32],
    x: &[f32],
    w: &[f32],
    g: &mut [f32],
    dx: Option<(&mut [f32], &mut [f32])>,
    n: usize,
    inp: usize,
    outs: usize,
) {
    let (gw, gb) = g.split_at_mut(outs * inp);
    gemm_at(d, x, gw, outs, n, inp);
    for row in d[..n * outs].chunks_exact(outs) {
        for (b, v) in gb.iter_mut().zip(row) {
            *b += v;
        }
    }
    if let Some((dx, dt)) = dx {
        for (b, row) in d[..n * outs].chunks_exact(outs).enumerate() {
            for (o, &v) in row.iter().enumerate() {
                dt[o * n + b] = v;
            }
        }
        dx[..n * inp].fill(0.0);
        gemm_at(dt, w, dx, n, outs, inp);
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

/// 2x2 max-pool of `maps` square maps of side `h`; records which of the 4 won (the first of
/// equals, in the order top-left, top-right, bottom-left, bottom-right). Row pairs in, one
/// pooled row out, with branch-free selects, so the compiler vectorises it.
fn max_pool(x: &[f32], out: &mut [f32], arg: &mut [u8], maps: usize, h: usize) {
    let p = h / 2;
    for ((src, o), a) in x[..maps * h * h]
        .chunks_exact(2 * h)
        .zip(out[..maps * p * p].chunks_exact_mut(p))
        .zip(arg[..maps * p * p].chunks_exact_mut(p))
    {
        let (top, bottom) = src.split_at(h);
        for (((o, a), t), b) in o
            .iter_mut()
            .zip(a.iter_mut())
            .zip(top.chunks_exact(2))
            .zip(bottom.chunks_exact(2))
        {
            let (mut best, mut k) = (t[0], 0u8);
            if t[1] > best {
                (best, k) = (t[1], 1);
            }
            if b[0] > best {
                (best, k) = (b[0], 2);
            }
            if b[1] > best {
                (best, k) = (b[1], 3);
            }
            *o = best;
            *a = k;
        }
    }
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
