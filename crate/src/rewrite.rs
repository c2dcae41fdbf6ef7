//! Rewrites of the typed graph into equivalent ones that tract runs faster, applied before
//! tract optimises it (`model.rs`). Each was measured with `scripts/profile-predict.sh`
//! (per node, under V8 through WASI) and is checked against tract's own path by
//! `tests/rewrite.rs`.

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::tract_core::ops::array::MultiBroadcastTo;
use tract_onnx::tract_hir::tract_core::ops::cnn::{Conv, KernelFormat};
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;

/// What [`apply`] changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rewrites {
    /// Max pools replaced by [`crate::fast_pool::MaxPool2x2`].
    pub pools: usize,
    /// Single-input-channel convolutions turned depthwise ([`fan_out_one_channel_convs`]).
    pub convs: usize,
}

/// Every rewrite, in order.
pub fn apply(model: &mut TypedModel) -> TractResult<Rewrites> {
    Ok(Rewrites {
        convs: fan_out_one_channel_convs(model)?,
        pools: crate::fast_pool::install(model)?,
    })
}

/// A convolution of a one-channel image into C maps (LeNet-5's C1: 1 → 6, 5x5) as the same
/// image copied C times and a depthwise convolution, map i with filter i.
///
/// The weights are the same tensor: OIHW `[C, 1, kh, kw]` is also the depthwise layout. Why:
/// tract runs the group-1 form as lazy im2col + an 8x8 matrix kernel (6 rows used of 8, and an
/// input gather per 8 outputs): C1 took 83 of 194 µs under V8. Its depthwise op walks each
/// output row with one SIMD multiply-add per tap and never gathers. Each output is the same
/// 25-term sum, though tract may add the terms in another order (float rounding only).
pub fn fan_out_one_channel_convs(model: &mut TypedModel) -> TractResult<usize> {
    replace_each(model, |model, node, conv: &Conv| {
        let fact = model.outlet_fact(node.inputs[0])?;
        let maps = conv.output_channels();
        let eligible = conv.q_params.is_none()
            && conv.group == 1
            && conv.input_channels() == 1
            && maps > 1
            && conv.kernel_fmt == KernelFormat::OIHW
            && conv.pool_spec.data_format == DataFormat::NCHW
            && conv.pool_spec.rank() == 2
            && node.inputs.len() == 3
            && fact.datum_type == f32::datum_type()
            && fact.rank() == 4
            && fact.shape.as_concrete().is_some();
        if !eligible {
            return Ok(None);
        }
        let mut shape = fact.shape.to_tvec();
        shape[1] = maps.into();
        let mut patch = TypedModelPatch::default();
        let taps = node
            .inputs
            .iter()
            .map(|&i| patch.tap_model(model, i))
            .collect::<TractResult<TVec<_>>>()?;
        let copies = patch.wire_node(
            format!("{}.fan_out", node.name),
            MultiBroadcastTo::new(shape.into()),
            &[taps[0]],
        )?[0];
        let mut depthwise = conv.clone();
        depthwise.group = maps;
        depthwise.pool_spec.input_channels = maps;
        let out = patch.wire_node(&node.name, depthwise, &[copies, taps[1], taps[2]])?[0];
        patch.shunt_outside(model, node.id.into(), out)?;
        Ok(Some(patch))
    })
}

/// Offers each node whose op is an `O` to `rewrite`, in evaluation order, and applies the
/// patches it returns; returns how many it applied.
pub(crate) fn replace_each<O: TypedOp>(
    model: &mut TypedModel,
    mut rewrite: impl FnMut(&TypedModel, &TypedNode, &O) -> TractResult<Option<TypedModelPatch>>,
) -> TractResult<usize> {
    let mut applied = 0;
    for id in model.eval_order()? {
        let node = &model.nodes()[id];
        let Some(op) = node.op_as::<O>() else {
            continue;
        };
        if let Some(patch) = rewrite(model, node, op)? {
            patch.apply(model)?;
            applied += 1;
        }
    }
    Ok(applied)
}
