//! LeNet-5's subsampling (2x2 pooling, stride 2, no padding; max or average) as tract ops of
//! our own.
//!
//! tract lowers such a pool to `OptMaxPool`, whose stride-2 path is a scalar per-pixel loop that
//! bounds-checks every tap through captured geometry. These ops walk each plane two rows at a
//! time over plain slices, which the compiler vectorises. The direct plan uses them; tract's
//! general path swaps [`MaxPool2x2`] in (`infer::general::rewrite`) only where it computes
//! exactly what tract's op would (float32 NCHW, concrete height and width, kernel = stride = 2,
//! no padding, no dilation, no index output), bit for bit.

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_ndarray::Array4;

/// 2x2 max pooling with stride 2 over the last two axes of a float32 `[N, C, H, W]` tensor
/// (output `[N, C, H/2, W/2]`, rounding down, like ONNX MaxPool without `ceil_mode`).
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct MaxPool2x2;

super::single_input_op!(MaxPool2x2, "MaxPool2x2", |x| pooled(x, "MaxPool2x2", pool), halved);

/// 2x2 average pooling with stride 2 (ONNX AveragePool without padding): LeNet-5's own
/// subsampling.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct AvgPool2x2;

super::single_input_op!(AvgPool2x2, "AvgPool2x2", |x| pooled(x, "AvgPool2x2", average), halved);

/// One float32 `[N, C, H, W]` input through `pool`.
fn pooled(input: TValue, name: &str, pool: fn(&[f32], [usize; 4]) -> TractResult<Tensor>) -> TractResult<Tensor> {
    let &[n, c, h, w] = input.shape() else {
        bail!("{name} wants a rank-4 input, got {:?}", input.shape());
    };
    let plain = input.try_as_plain_ram()?;
    pool(plain.as_slice::<f32>()?, [n, c, h, w])
}

/// The output fact of a 2x2 pool with stride 2.
fn halved(fact: &TypedFact) -> TractResult<TVec<TypedFact>> {
    ensure!(fact.datum_type == f32::datum_type() && fact.rank() == 4);
    let dims = fact.shape.to_tvec();
    let (h, w) = (dims[2].to_usize()?, dims[3].to_usize()?);
    Ok(tvec!(f32::fact([
        dims[0].clone(),
        dims[1].clone(),
        (h / 2).into(),
        (w / 2).into()
    ])))
}

/// The pooling itself, on a row-major `[n, c, h, w]` slice.
pub fn pool(x: &[f32], shape: [usize; 4]) -> TractResult<Tensor> {
    pool_with(x, shape, |t, b| max(max(max(max(f32::MIN, t[0]), t[1]), b[0]), b[1]))
}

/// 2x2 average pooling, stride 2 (no padding, so every window has 4 values).
pub fn average(x: &[f32], shape: [usize; 4]) -> TractResult<Tensor> {
    pool_with(x, shape, |t, b| (t[0] + t[1] + b[0] + b[1]) * 0.25)
}

/// Each 2x2 window (`top` and `bottom` pairs) reduced by `f`.
#[inline(always)]
fn pool_with(x: &[f32], [n, c, h, w]: [usize; 4], f: impl Fn(&[f32], &[f32]) -> f32) -> TractResult<Tensor> {
    ensure!(
        x.len() == n * c * h * w,
        "2x2 pool: {} values for shape {:?}",
        x.len(),
        [n, c, h, w]
    );
    let (oh, ow) = (h / 2, w / 2);
    let mut out = vec![0f32; n * c * oh * ow];
    if oh > 0 && ow > 0 {
        for (plane, out_plane) in x.chunks_exact(h * w).zip(out.chunks_exact_mut(oh * ow)) {
            for (rows, out_row) in plane.chunks_exact(2 * w).zip(out_plane.chunks_exact_mut(ow)) {
                let (top, bottom) = rows.split_at(w);
                let pairs = top.chunks_exact(2).zip(bottom.chunks_exact(2));
                for (o, (t, b)) in out_row.iter_mut().zip(pairs) {
                    *o = f(t, b);
                }
            }
        }
    }
    Ok(Array4::from_shape_vec((n, c, oh, ow), out)?.into_tensor())
}

/// tract's loop folds the taps in this order from `f32::MIN` with `f32::max`, which skips NaN;
/// so does this, with a plain comparison: `f32::max` is a libm-style call per tap in wasm (it
/// made this op 3x slower there).
#[inline(always)]
fn max(acc: f32, v: f32) -> f32 {
    if v > acc { v } else { acc }
}
