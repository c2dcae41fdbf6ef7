//! tract's general path (feature `general`): any graph of the accepted operators, through
//! tract-onnx's front end with only those operators registered ([`registry`]), tract-hir's
//! analysis, our ops swapped into the typed graph where they compute the same ([`rewrite`]),
//! and tract's optimiser. Native builds load every model this way (tract's native kernels are
//! fastest there); the page loads its second wasm module, built with this feature, only for a
//! model the direct plan does not take.

pub mod registry;
pub mod rewrite;

use tract_onnx::prelude::*;

use tract_onnx::tract_hir::tract_core::ops::cnn::{Conv, MaxPool, SumPool};
use tract_onnx::tract_hir::tract_core::ops::einsum::EinSum;

use super::root_cause;
use crate::error::Error;
use crate::onnx::budget::{self, Cost, volume};
use crate::onnx::contract::INPUT_SIDE;

/// The analysed graph of ONNX `bytes` (checked by [`crate::onnx::read::read`] first), its
/// input pinned to one 32x32 digit: concrete shapes let tract pick its fastest kernels.
pub fn analyse(bytes: &[u8]) -> Result<InferenceModel, Error> {
    let proto = <tract_onnx::pb::ModelProto as prost::Message>::decode(bytes)
        .map_err(|e| Error::Model(format!("not a readable ONNX file ({e})")))?;
    let model = registry::onnx()
        .model_for_proto_model(&proto)
        .map_err(|e| Error::Model(format!("the ONNX graph could not be loaded ({})", root_cause(&e))))?;
    model
        .with_input_fact(0, f32::fact([1, 1, INPUT_SIDE, INPUT_SIDE]).into())
        .map_err(|e| {
            Error::Model(format!(
                "the model does not accept a float32 [1,1,32,32] input ({})",
                root_cause(&e)
            ))
        })
}

/// The analysed graph as tract's typed graph, checked against the budget ([`budget::check`])
/// before anything is optimised, planned or run.
pub fn typed(model: InferenceModel) -> Result<TypedModel, Error> {
    let typed = model.into_typed().map_err(|e| {
        Error::Model(format!(
            "the model does not accept a float32 [1,1,32,32] input ({})",
            root_cause(&e)
        ))
    })?;
    budget::check(costs(&typed))?;
    Ok(typed)
}

/// tract's optimiser, after our equivalent, faster forms of the graph ([`rewrite::apply`]).
pub fn optimise(mut typed: TypedModel) -> TractResult<TypedModel> {
    rewrite::apply(&mut typed)?;
    typed.into_optimized()
}

/// What each node of a typed graph costs for one digit, from its shapes: convolutions and
/// pools by their windows, matrix products by their three shapes, anything else one operation
/// per output value. A shape that is not concrete counts as nothing (tract decides then).
fn costs(model: &TypedModel) -> Vec<Cost> {
    let volume_of = |fact: &TypedFact| fact.shape.as_concrete().map(|s| volume(s.iter().map(|&d| d as u64)));
    model
        .nodes()
        .iter()
        .map(|node| {
            let out = node
                .outputs
                .iter()
                .filter_map(|o| volume_of(&o.fact))
                .fold(0u64, u64::saturating_add);
            let input = |i: usize| {
                node.inputs
                    .get(i)
                    .and_then(|&o| model.outlet_fact(o).ok())
                    .and_then(volume_of)
                    .unwrap_or(0)
            };
            let macs = if node.op_is::<Conv>() {
                // The kernel holds every output map's weights: its volume over the maps is the
                // work per output value.
                let maps = node
                    .outputs
                    .first()
                    .and_then(|o| o.fact.shape.as_concrete().and_then(|s| s.get(1).copied()));
                out.saturating_mul(input(1) / maps.unwrap_or(1).max(1) as u64)
            } else if let Some(pool) = node.op_as::<MaxPool>() {
                out.saturating_mul(volume(pool.pool_spec.kernel_shape.iter().map(|&d| d as u64)))
            } else if let Some(pool) = node.op_as::<SumPool>() {
                out.saturating_mul(volume(pool.pool_spec.kernel_shape.iter().map(|&d| d as u64)))
            } else if node.op_is::<EinSum>() {
                // A matrix product [M,K]·[K,N] → [M,N]: M·K·N = √(MK · KN · MN).
                let product = (input(0) as f64) * (input(1) as f64) * (out as f64);
                product.sqrt().min(u64::MAX as f64) as u64
            } else {
                out
            };
            Cost {
                layer: node.name.clone(),
                op: node.op.name().to_string(),
                macs,
                values: out,
            }
        })
        .collect()
}
