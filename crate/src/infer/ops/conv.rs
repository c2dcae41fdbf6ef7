//! Convolutions (C1, C3, C5) and dense layers (F6 and the output, as 1x1 convolutions) as a
//! tract op of our own, for WebAssembly: the direct plan builds the browser's graph with it, and
//! tract's general path swaps it in (`infer::general::rewrite`) in wasm only. A ReLU that follows
//! can be folded in ([`DirectConv::with_relu`]).
//!
//! tract runs such layers as im2col + a matrix kernel, which under V8 spends most of its time
//! gathering inputs rather than multiplying. This op gathers nothing, and picks one of two loops
//! by the multiply-adds each would do. Both hold 32 sums in registers (two sets of 16) and do one
//! broadcast multiply-add per weight and 16 sums, which the compiler vectorises:
//! - **spatial** (few maps over a large image, like C1): two maps at 16 neighbouring positions of
//!   a "wide" map, computed over the padded input's row stride, so one weight times the input
//!   shifted by one tap is a contiguous run. The columns past each output row are computed and
//!   thrown away. Only non-zero weights become taps, so the paper's C3 connection table costs
//!   only what it connects.
//! - **mapwise** (many maps over a small image, like C3): 16 maps at two positions; nothing thrown
//!   away. A single position (C5, the dense layers) takes the one-position form of the same loop.
//!
//! It computes what tract's op would for float32 NCHW, constant weights and bias, group 1,
//! stride 1, no dilation, explicit zero padding. Sums are taken in another order than tract's,
//! so results agree to float rounding; a skipped zero weight also skips `0 × ∞ = NaN` (the
//! recognizer refuses non-finite input). Natively tract's AVX2 kernels are faster, so native
//! builds keep tract's convolution. Measurements: `docs/performance.md`.

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;

use crate::onnx::contract::MAX_VALUES;

/// Sums per set: four wasm SIMD vectors, the fastest width measured (docs/performance.md).
const LANES: usize = 16;

/// Sizes of one convolution, all concrete.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Geometry {
    /// Input channels, height, width (before padding).
    pub input: [usize; 3],
    /// Zero padding: top, left, bottom, right.
    pub pads: [usize; 4],
    /// Kernel height and width.
    pub kernel: [usize; 2],
    /// Output maps.
    pub maps: usize,
}

impl Geometry {
    /// Padded height and width (`None` on overflow: the sizes come from a model file).
    fn padded(&self) -> Option<[usize; 2]> {
        let [_, h, w] = self.input;
        let [top, left, bottom, right] = self.pads;
        Some([
            h.checked_add(top)?.checked_add(bottom)?,
            w.checked_add(left)?.checked_add(right)?,
        ])
    }

    /// Output height and width (`None` if the kernel is larger than the padded input).
    pub fn output(&self) -> Option<[usize; 2]> {
        let [hp, wp] = self.padded()?;
        let [kh, kw] = self.kernel;
        Some([(hp + 1).checked_sub(kh)?, (wp + 1).checked_sub(kw)?]).filter(|&[h, w]| h > 0 && w > 0)
    }

    /// Whether no dimension is 0 and every buffer `run` sizes (padded input, wide rows, weights,
    /// output) stays under [`MAX_VALUES`], so no size computation can overflow, even in 32-bit
    /// WebAssembly.
    pub fn fits(&self) -> bool {
        let product = |v: &[usize]| {
            v.iter()
                .try_fold(1usize, |a, &b| a.checked_mul(b))
                .filter(|&n| n <= MAX_VALUES)
        };
        let (Some([hp, wp]), Some([oh, ow])) = (self.padded(), self.output()) else {
            return false;
        };
        let [c, h, w] = self.input;
        let [kh, kw] = self.kernel;
        // No empty dimension either: `run` walks the input in chunks of c·h·w, h·w and w.
        [c, h, w, kh, kw, self.maps].iter().all(|&d| d > 0)
            && [
                &[c, hp, wp][..],
                &[self.maps, c, kh, kw],
                &[self.maps, oh, ow],
                &[2, oh, wp],
            ]
            .iter()
            .all(|v| product(v).is_some())
    }
}

/// A convolution with its constant weights, laid out for the cheaper of two loops.
#[derive(Debug, Clone)]
pub struct DirectConv {
    geometry: Geometry,
    /// OIHW, as given (what equality compares).
    weights: Vec<f32>,
    bias: Vec<f32>,
    kernel: Kernel,
    /// A ReLU applied to the output (the direct plan folds the one that follows).
    relu: bool,
    /// A dense layer: input `[N, K]` (or `[N, ...]` of K values each), output `[N, maps]`
    /// (a 1x1 convolution over K channels).
    dense: bool,
}

/// The two loops (see the module doc).
#[derive(Debug, Clone)]
enum Kernel {
    /// Two maps at 16 neighbouring positions of their wide rows. Only non-zero weights are taps.
    Spatial {
        /// For maps 2i and 2i + 1 (the last pair may have one), every offset into the padded
        /// input where either has a non-zero weight, with both weights (0 where one has none).
        pairs: Vec<Vec<(usize, [f32; 2])>>,
    },
    /// 16 maps at two positions.
    Mapwise {
        /// Where each weight reads in the padded input, relative to the output position.
        offsets: Vec<usize>,
        /// For each group of 16 maps, one row of 16 weights (maps past the last are 0) per
        /// offset.
        rows: Vec<[f32; LANES]>,
        /// Each group's 16 biases.
        biases: Vec<[f32; LANES]>,
    },
}

impl PartialEq for DirectConv {
    fn eq(&self, other: &Self) -> bool {
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        self.geometry == other.geometry
            && (self.relu, self.dense) == (other.relu, other.dense)
            && bits(&self.weights) == bits(&other.weights)
            && bits(&self.bias) == bits(&other.bias)
    }
}

impl Eq for DirectConv {}

impl DirectConv {
    /// From OIHW weights `[maps, channels, kh, kw]` and one bias per map (or one for all).
    pub fn new(geometry: Geometry, weights: &[f32], bias: &[f32]) -> TractResult<Self> {
        let [c, _, _] = geometry.input;
        let [kh, kw] = geometry.kernel;
        let maps = geometry.maps;
        let [oh, ow] = geometry.output().context("DirectConv: kernel larger than the input")?;
        ensure!(geometry.fits(), "DirectConv: {geometry:?} is too large");
        ensure!(
            weights.len() == maps * c * kh * kw && maps > 0,
            "DirectConv: {} weights for {maps} maps of {c}x{kh}x{kw}",
            weights.len()
        );
        ensure!(
            bias.len() == maps || bias.len() == 1,
            "DirectConv: {} biases for {maps} maps",
            bias.len()
        );
        let bias = if bias.len() == maps {
            bias.to_vec()
        } else {
            vec![bias[0]; maps]
        };
        let [hp, wp] = geometry.padded().context("DirectConv: padding overflows")?;
        let per_map = c * kh * kw;
        let offset = |k: usize| (k / (kh * kw)) * hp * wp + (k % (kh * kw) / kw) * wp + k % kw;
        // Each pair of maps' taps, built once here rather than per call.
        let pairs: Vec<Vec<(usize, [f32; 2])>> = weights
            .chunks(2 * per_map)
            .map(|pair| {
                let (first, second) = pair.split_at(per_map);
                (0..per_map)
                    .map(|k| (offset(k), [first[k], second.get(k).copied().unwrap_or(0.0)]))
                    .filter(|(_, [w0, w1])| *w0 != 0.0 || *w1 != 0.0)
                    .collect()
            })
            .collect();
        // Steps of each loop (one weight times 32 sums): spatial runs each pair of maps over
        // its taps for every chunk of its wide rows; mapwise each group of 16 maps over every
        // weight, for every pair of positions.
        let spatial_cost = pairs.iter().map(Vec::len).sum::<usize>() * ((oh - 1) * wp + ow).div_ceil(LANES);
        let mapwise_cost = maps.div_ceil(LANES) * (oh * ow).div_ceil(2) * per_map;
        let kernel = if spatial_cost <= mapwise_cost {
            Kernel::Spatial { pairs }
        } else {
            let groups = maps.div_ceil(LANES);
            let mut rows = vec![[0f32; LANES]; groups * per_map];
            let mut biases = vec![[0f32; LANES]; groups];
            for (m, (map, &b)) in weights.chunks_exact(per_map).zip(&bias).enumerate() {
                biases[m / LANES][m % LANES] = b;
                for (k, &w) in map.iter().enumerate() {
                    rows[m / LANES * per_map + k][m % LANES] = w;
                }
            }
            Kernel::Mapwise {
                offsets: (0..per_map).map(offset).collect(),
                rows,
                biases,
            }
        };
        Ok(DirectConv {
            geometry,
            weights: weights.to_vec(),
            bias,
            kernel,
            relu: false,
            dense: false,
        })
    }

    /// A dense layer `y = W x + b` on `[N, K]` inputs: weights `[maps, K]`, one bias per unit.
    pub fn dense(inputs: usize, units: usize, weights: &[f32], bias: &[f32]) -> TractResult<Self> {
        let geometry = Geometry {
            input: [inputs, 1, 1],
            pads: [0; 4],
            kernel: [1, 1],
            maps: units,
        };
        Ok(DirectConv {
            dense: true,
            ..Self::new(geometry, weights, bias)?
        })
    }

    /// The same op followed by a ReLU, in one pass over its output.
    pub fn with_relu(self) -> Self {
        DirectConv { relu: true, ..self }
    }

    /// Whether a ReLU is folded in.
    pub fn has_relu(&self) -> bool {
        self.relu
    }

    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    /// Which loop runs it: `"spatial"` or `"mapwise"`.
    pub fn kernel_name(&self) -> &'static str {
        match self.kernel {
            Kernel::Spatial { .. } => "spatial",
            Kernel::Mapwise { .. } => "mapwise",
        }
    }

    /// Convolves `x` (`[n, c, h, w]`, row-major) into `out` (`[n, maps, oh, ow]`).
    pub fn run(&self, x: &[f32], n: usize, out: &mut [f32]) -> TractResult<()> {
        let Geometry {
            input: [c, h, w],
            pads: [top, left, ..],
            maps,
            ..
        } = self.geometry;
        let [hp, wp] = self.geometry.padded().context("DirectConv: padding overflows")?;
        let [oh, ow] = self.geometry.output().context("DirectConv: empty output")?;
        ensure!(
            x.len() == n * c * h * w && out.len() == n * maps * oh * ow,
            "DirectConv: {} values for shape {:?}, room for {} outputs",
            x.len(),
            [n, c, h, w],
            out.len()
        );
        // Wide rows' last chunk reads up to LANES - 2 values past the padded input.
        let mut padded = vec![0f32; c * hp * wp + LANES];
        for (image, out) in x.chunks_exact(c * h * w).zip(out.chunks_exact_mut(maps * oh * ow)) {
            for (plane, padded) in image.chunks_exact(h * w).zip(padded.chunks_exact_mut(hp * wp)) {
                for (row, padded) in plane.chunks_exact(w).zip(padded[top * wp..].chunks_exact_mut(wp)) {
                    padded[left..left + w].copy_from_slice(row);
                }
            }
            match &self.kernel {
                Kernel::Spatial { pairs } => {
                    let len = ((oh - 1) * wp + ow).div_ceil(LANES) * LANES;
                    let mut wide = vec![0f32; 2 * len];
                    for (pair, (taps, out)) in pairs.iter().zip(out.chunks_mut(2 * oh * ow)).enumerate() {
                        let bias = [self.bias[2 * pair], self.bias[(2 * pair + 1).min(maps - 1)]];
                        spatial(&padded, taps, bias, &mut wide);
                        for (out, wide) in out.chunks_exact_mut(oh * ow).zip(wide.chunks_exact(len)) {
                            for (row, wide) in out.chunks_exact_mut(ow).zip(wide.chunks(wp)) {
                                row.copy_from_slice(&wide[..ow]);
                            }
                        }
                    }
                }
                Kernel::Mapwise { offsets, rows, biases } => {
                    let per_map = offsets.len();
                    for (group, bias) in biases.iter().enumerate() {
                        let rows = &rows[group * per_map..][..per_map];
                        let first = group * LANES;
                        let count = LANES.min(maps - first);
                        let base = |p: usize| (p / ow) * wp + p % ow;
                        let mut store = |position: usize, acc: &[f32; LANES]| {
                            for (m, &v) in acc[..count].iter().enumerate() {
                                out[(first + m) * oh * ow + position] = v;
                            }
                        };
                        for p in (0..oh * ow).step_by(2) {
                            if p + 1 < oh * ow {
                                let [a, b] = mapwise(&padded, [base(p), base(p + 1)], offsets, rows, bias);
                                store(p, &a);
                                store(p + 1, &b);
                            } else {
                                let [a] = mapwise(&padded, [base(p)], offsets, rows, bias);
                                store(p, &a);
                            }
                        }
                    }
                }
            }
        }
        if self.relu {
            relu(out);
        }
        Ok(())
    }
}

/// ReLU in place. A select, not `f32::max` (a call per value in wasm) nor a conditional
/// store (which LLVM does not vectorise for wasm); NaN stays NaN, as in ONNX.
pub fn relu(values: &mut [f32]) {
    for v in values {
        *v = if *v < 0.0 { 0.0 } else { *v };
    }
}

/// Two maps over wide rows: `wide[j] = bias + Σ weight · padded[offset + j]`, 16 `j` at a time,
/// the first map's result in `wide`'s first half. Each input chunk is loaded once for both
/// maps, which the compiler only does with both in one loop.
#[inline(never)]
fn spatial(padded: &[f32], taps: &[(usize, [f32; 2])], bias: [f32; 2], wide: &mut [f32]) {
    let (wide0, wide1) = wide.split_at_mut(wide.len() / 2);
    for (chunk, (dst0, dst1)) in wide0
        .chunks_exact_mut(LANES)
        .zip(wide1.chunks_exact_mut(LANES))
        .enumerate()
    {
        let (mut acc0, mut acc1) = ([bias[0]; LANES], [bias[1]; LANES]);
        let at = chunk * LANES;
        for &(offset, [w0, w1]) in taps {
            let Some(src) = padded[offset + at..].first_chunk::<LANES>() else {
                continue; // unreachable: `padded` has LANES spare values
            };
            for k in 0..LANES {
                acc0[k] += w0 * src[k];
                acc1[k] += w1 * src[k];
            }
        }
        dst0.copy_from_slice(&acc0);
        dst1.copy_from_slice(&acc1);
    }
}

/// 16 maps at `P` positions (`padded[base..]`): `bias[m] + Σ_k rows[k][m] · padded[base + offsets[k]]`.
/// Two positions share each row of weights (half the weight loads); a 1x1 output (C5) takes
/// one, so no work is thrown away. Not inlined: inside `run`, LLVM vectorises this loop only
/// partly.
#[inline(never)]
fn mapwise<const P: usize>(
    padded: &[f32],
    bases: [usize; P],
    offsets: &[usize],
    rows: &[[f32; LANES]],
    bias: &[f32; LANES],
) -> [[f32; LANES]; P] {
    let mut acc = [*bias; P];
    for (&offset, row) in offsets.iter().zip(rows) {
        for (acc, &base) in acc.iter_mut().zip(&bases) {
            let v = padded[base + offset];
            for m in 0..LANES {
                acc[m] += v * row[m];
            }
        }
    }
    acc
}

impl Op for DirectConv {
    fn name(&self) -> StaticName {
        "DirectConv".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        let per_map = self.geometry.input[0] * self.geometry.kernel[0] * self.geometry.kernel[1];
        Ok(vec![format!(
            "{:?}{}{}, {} loop, {} of {} weights non-zero",
            self.geometry,
            if self.dense { ", dense" } else { "" },
            if self.relu { ", ReLU" } else { "" },
            self.kernel_name(),
            self.weights.iter().filter(|&&w| w != 0.0).count(),
            per_map * self.geometry.maps
        )])
    }

    op_as_typed_op!();
}

impl EvalOp for DirectConv {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let [c, h, w] = self.geometry.input;
        let (n, ic, ih, iw) = match *input.shape() {
            // A dense layer reads each item's values in order, whatever their shape (a Flatten
            // before it is folded into it).
            [n, ref rest @ ..] if self.dense && !rest.is_empty() => (n, rest.iter().product(), 1, 1),
            [n, ic, ih, iw] if !self.dense => (n, ic, ih, iw),
            ref other => bail!("DirectConv: input {other:?}, built for {:?}", [c, h, w]),
        };
        ensure!(
            [ic, ih, iw] == [c, h, w],
            "DirectConv: input {:?}, built for {:?}",
            input.shape(),
            [c, h, w]
        );
        let [oh, ow] = self.geometry.output().context("DirectConv: empty output")?;
        // Aligned like tract's own outputs: its SIMD kernels downstream (the ReLU) take a slow
        // path on a tensor that is not.
        let mut out = if self.dense {
            Tensor::zero_dt(f32::datum_type(), &[n, self.geometry.maps])?
        } else {
            Tensor::zero_dt(f32::datum_type(), &[n, self.geometry.maps, oh, ow])?
        };
        let plain = input.try_as_plain_ram()?;
        self.run(
            plain.as_slice::<f32>()?,
            n,
            out.try_as_plain_ram_mut()?.as_slice_mut::<f32>()?,
        )?;
        Ok(tvec!(out.into_tvalue()))
    }
}

impl TypedOp for DirectConv {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let fact = inputs[0];
        if self.dense {
            ensure!(fact.datum_type == f32::datum_type() && fact.rank() >= 2);
            let k: TDim = fact.shape.iter().skip(1).product();
            ensure!(
                k == self.geometry.input[0].into(),
                "dense layer of {:?} inputs on {fact:?}",
                self.geometry.input[0]
            );
            return Ok(tvec!(f32::fact([fact.shape[0].clone(), self.geometry.maps.into()])));
        }
        ensure!(fact.datum_type == f32::datum_type() && fact.rank() == 4);
        let [oh, ow] = self.geometry.output().context("DirectConv: empty output")?;
        Ok(tvec!(f32::fact([
            fact.shape[0].clone(),
            self.geometry.maps.into(),
            oh.into(),
            ow.into()
        ])))
    }

    as_op!();
}
