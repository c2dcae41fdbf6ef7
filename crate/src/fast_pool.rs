//! LeNet-5's subsampling (2x2 max pooling, stride 2, no padding) as a tract op of our own.
//!
//! tract 0.23 lowers such a pool to `OptMaxPool`, whose stride-2 path is a scalar per-pixel
//! loop that bounds-checks every tap through captured geometry: S2 and S4 took 59 + 20 µs of
//! `predict`'s 250 µs under V8 and 24 + 9 of 130 µs natively (`examples/profile_predict.rs`),
//! more than C5, F6 and the output layer together. This op walks each plane two rows at a
//! time over plain slices, which the compiler vectorises. It is swapped in on the typed
//! graph, before tract optimises it ([`install`]), only where it computes exactly what
//! tract's op would (float32 NCHW, concrete height and width, kernel = stride = 2, no
//! padding, no dilation, no index output); every other pool stays tract's.

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
#[cfg(feature = "general")]
use tract_onnx::tract_hir::tract_core::ops::cnn::{MaxPool, PaddingSpec};
#[cfg(feature = "general")]
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;
use tract_onnx::tract_hir::tract_ndarray::Array4;

/// 2x2 max pooling with stride 2 over the last two axes of a float32 `[N, C, H, W]` tensor
/// (output `[N, C, H/2, W/2]`, rounding down, like ONNX MaxPool without `ceil_mode`).
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct MaxPool2x2;

impl Op for MaxPool2x2 {
    fn name(&self) -> StaticName {
        "MaxPool2x2".into()
    }

    op_as_typed_op!();
}

impl EvalOp for MaxPool2x2 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        eval_with(inputs, "MaxPool2x2", pool)
    }
}

impl TypedOp for MaxPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        halved(inputs[0])
    }

    as_op!();
}

/// 2x2 average pooling with stride 2 (ONNX AveragePool without padding): LeNet-5's own
/// subsampling, for the direct loader (`direct_load.rs`).
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct AvgPool2x2;

impl Op for AvgPool2x2 {
    fn name(&self) -> StaticName {
        "AvgPool2x2".into()
    }

    op_as_typed_op!();
}

impl EvalOp for AvgPool2x2 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        eval_with(inputs, "AvgPool2x2", average)
    }
}

impl TypedOp for AvgPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        halved(inputs[0])
    }

    as_op!();
}

/// Either pool's eval: one float32 `[N, C, H, W]` input through `pool`.
fn eval_with(
    inputs: TVec<TValue>,
    name: &str,
    pool: fn(&[f32], [usize; 4]) -> TractResult<Tensor>,
) -> TractResult<TVec<TValue>> {
    let input = args_1!(inputs);
    let &[n, c, h, w] = input.shape() else {
        bail!("{name} wants a rank-4 input, got {:?}", input.shape());
    };
    let plain = input.try_as_plain_ram()?;
    Ok(tvec!(pool(plain.as_slice::<f32>()?, [n, c, h, w])?.into_tvalue()))
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

/// Replaces each of `model`'s tract `MaxPool` nodes that [`MaxPool2x2`] computes exactly;
/// returns how many. Call it on the typed graph, before `into_optimized`.
#[cfg(feature = "general")]
pub fn install(model: &mut TypedModel) -> TractResult<usize> {
    crate::rewrite::replace_each(model, |model, node, pool: &MaxPool| {
        if !is_2x2_stride_2(pool, model.outlet_fact(node.inputs[0])?) {
            return Ok(None);
        }
        TypedModelPatch::replace_single_op(model, node, &node.inputs, MaxPool2x2).map(Some)
    })
}

#[cfg(feature = "general")]
fn is_2x2_stride_2(pool: &MaxPool, input: &TypedFact) -> bool {
    let spec = &pool.pool_spec;
    let unpadded = match &spec.padding {
        PaddingSpec::Valid => true,
        PaddingSpec::Explicit(before, after) | PaddingSpec::ExplicitOnnxPool(before, after, false) => {
            before.iter().chain(after).all(|&p| p == 0)
        }
        _ => false,
    };
    let concrete_hw = input.rank() == 4 && input.shape[2].to_usize().is_ok() && input.shape[3].to_usize().is_ok();
    pool.with_index_outputs.is_none()
        && spec.data_format == DataFormat::NCHW
        && spec.kernel_shape[..] == [2, 2]
        && spec.strides()[..] == [2, 2]
        && spec.dilations().iter().all(|&d| d == 1)
        && unpadded
        && input.datum_type == f32::datum_type()
        && concrete_hw
}
