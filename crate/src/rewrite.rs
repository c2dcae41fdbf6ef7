//! Rewrites of the typed graph into equivalent ones that tract runs faster, applied before
//! tract optimises it (`model.rs`). Each was measured with `scripts/profile-predict.sh`
//! (per node, under V8 through WASI) and is checked against tract's own path by
//! `tests/rewrite.rs`.

use tract_onnx::prelude::*;

/// What [`apply`] changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rewrites {
    /// Max pools replaced by [`crate::fast_pool::MaxPool2x2`].
    pub pools: usize,
    /// Convolutions replaced by [`crate::direct_conv::DirectConv`] (WebAssembly only).
    pub convs: usize,
}

/// Every rewrite that is faster on this target.
///
/// `DirectConv` only in WebAssembly: under V8 it took C1 + C3 from 46 + 66 µs to 28 + 43 µs,
/// but natively tract's AVX2/FMA kernels (chosen at run time) beat our portable loops,
/// compiled for baseline x86-64 (`predict` 102 µs with tract's, 163 µs with ours, back to back).
/// `tests/direct_conv.rs` checks the op natively against tract either way.
pub fn apply(model: &mut TypedModel) -> TractResult<Rewrites> {
    let convs = if cfg!(target_arch = "wasm32") {
        crate::direct_conv::install(model)?
    } else {
        0
    };
    Ok(Rewrites {
        convs,
        pools: crate::fast_pool::install(model)?,
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

/// The value at `outlet` if it is a constant, or computed from constants by its producer alone
/// (a float16 model's `Cast` of a bias: `into_typed` leaves such nodes for `declutter` to fold).
pub(crate) fn constant(model: &TypedModel, outlet: OutletId) -> TractResult<Option<Arc<Tensor>>> {
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
