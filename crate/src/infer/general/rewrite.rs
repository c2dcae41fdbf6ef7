//! Rewrites of tract's typed graph into equivalent ones that run faster: our ops
//! ([`crate::infer::ops`]) swapped in before tract optimises the graph, only where they compute
//! what tract's op would. Each was measured with `scripts/profile-predict.sh` (per node, under
//! V8 through WASI) and is checked against tract's own path by `tests/rewrite.rs`.

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_core::ops::cnn::{Conv, KernelFormat, MaxPool, PaddingSpec};
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;

use crate::infer::ops::{DirectConv, Geometry, MaxPool2x2};

/// What [`apply`] changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rewrites {
    /// Max pools replaced by [`MaxPool2x2`].
    pub pools: usize,
    /// Convolutions replaced by [`DirectConv`] (WebAssembly only).
    pub convs: usize,
}

/// Every rewrite that is faster on this target.
///
/// `DirectConv` only in WebAssembly: natively tract's AVX2/FMA kernels (chosen at run time) beat
/// our portable loops, compiled for baseline x86-64 (docs/performance.md). `tests/direct_conv.rs`
/// checks the op natively against tract either way.
pub fn apply(model: &mut TypedModel) -> TractResult<Rewrites> {
    let convs = if cfg!(target_arch = "wasm32") {
        install_convs(model)?
    } else {
        0
    };
    Ok(Rewrites {
        convs,
        pools: install_pools(model)?,
    })
}

/// Offers each node whose op is an `O` to `rewrite`, in evaluation order, and applies the
/// patches it returns; returns how many it applied.
fn replace_each<O: TypedOp>(
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

/// The value at `outlet` if it is a constant, or computed from constants by its producer alone
/// (a float16 model's `Cast` of a bias: `into_typed` leaves such nodes for `declutter` to fold).
fn constant(model: &TypedModel, outlet: OutletId) -> TractResult<Option<Arc<Tensor>>> {
    if let Some(k) = &model.outlet_fact(outlet)?.konst {
        return Ok(Some(k.clone()));
    }
    let node = model.node(outlet.node);
    if node.inputs.is_empty() {
        return Ok(None); // a graph input: not constant
    }
    let mut inputs = TVec::new();
    for &i in &node.inputs {
        match &model.outlet_fact(i)?.konst {
            Some(k) => inputs.push(k.clone().into_tvalue()),
            None => return Ok(None),
        }
    }
    // `None` from ops that need a plan around them (state, context); an op that fails here is
    // left for tract to judge, not a reason to refuse the model.
    let Ok(Some(mut outputs)) = node.op.eval_out_of_plan(inputs) else {
        return Ok(None);
    };
    Ok((outlet.slot < outputs.len()).then(|| outputs.swap_remove(outlet.slot).into_arc_tensor()))
}

/// Replaces each of `model`'s convolutions that [`DirectConv`] computes (see the module doc);
/// returns how many. Call it on the typed graph, before `into_optimized`.
pub fn install_convs(model: &mut TypedModel) -> TractResult<usize> {
    replace_each(model, |model, node, conv: &Conv| {
        let Some(op) = direct_form(model, node, conv)? else {
            return Ok(None);
        };
        let mut patch = TypedModelPatch::default();
        let x = patch.tap_model(model, node.inputs[0])?;
        let out = patch.wire_node(&node.name, op, &[x])?[0];
        patch.shunt_outside(model, node.id.into(), out)?;
        Ok(Some(patch))
    })
}

/// The [`DirectConv`] for `conv` at `node`, if it computes exactly that convolution.
fn direct_form(model: &TypedModel, node: &TypedNode, conv: &Conv) -> TractResult<Option<DirectConv>> {
    let spec = &conv.pool_spec;
    let pads = match &spec.padding {
        PaddingSpec::Valid => Some([0; 4]),
        PaddingSpec::Explicit(before, after) | PaddingSpec::ExplicitOnnxPool(before, after, false)
            if before.len() == 2 && after.len() == 2 =>
        {
            Some([before[0], before[1], after[0], after[1]])
        }
        _ => None,
    };
    let plain = conv.q_params.is_none()
        && conv.group == 1
        && conv.kernel_fmt == KernelFormat::OIHW
        && spec.data_format == DataFormat::NCHW
        && spec.rank() == 2
        && spec.strides().iter().all(|&s| s == 1)
        && spec.dilations().iter().all(|&d| d == 1)
        && node.inputs.len() == 3;
    let (Some(pads), true) = (pads, plain) else {
        return Ok(None);
    };
    let fact = |i: usize| model.outlet_fact(node.inputs[i]);
    let x = fact(0)?;
    let constant = |i: usize| constant(model, node.inputs[i]);
    let (Some(weights), Some(bias)) = (constant(1)?, constant(2)?) else {
        return Ok(None);
    };
    let Some(shape) = x.shape.as_concrete() else {
        return Ok(None);
    };
    let floats = [x.datum_type, weights.datum_type(), bias.datum_type()]
        .iter()
        .all(|&t| t == f32::datum_type());
    if !floats || shape.len() != 4 || weights.rank() != 4 {
        return Ok(None);
    }
    let geometry = Geometry {
        input: [shape[1], shape[2], shape[3]],
        pads,
        kernel: [weights.shape()[2], weights.shape()[3]],
        maps: weights.shape()[0],
    };
    let (Some([oh, ow]), true) = (geometry.output(), geometry.fits()) else {
        return Ok(None);
    };
    let expected = model
        .outlet_fact(node.id.into())?
        .shape
        .as_concrete()
        .map(|s| s.to_vec());
    if weights.shape()[1] != shape[1] || expected != Some(vec![shape[0], geometry.maps, oh, ow]) {
        return Ok(None);
    }
    let (weights, bias) = (weights.try_as_plain_ram()?, bias.try_as_plain_ram()?);
    DirectConv::new(geometry, weights.as_slice::<f32>()?, bias.as_slice::<f32>()?).map(Some)
}

/// Replaces each of `model`'s tract `MaxPool` nodes that [`MaxPool2x2`] computes exactly;
/// returns how many. Call it on the typed graph, before `into_optimized`.
pub fn install_pools(model: &mut TypedModel) -> TractResult<usize> {
    replace_each(model, |model, node, pool: &MaxPool| {
        if !is_2x2_stride_2(pool, model.outlet_fact(node.inputs[0])?) {
            return Ok(None);
        }
        TypedModelPatch::replace_single_op(model, node, &node.inputs, MaxPool2x2).map(Some)
    })
}

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
