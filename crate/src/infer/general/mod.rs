//! tract's general path (feature `general`): any graph of the accepted operators, through
//! tract-onnx's front end with only those operators registered ([`registry`]), tract-hir's
//! analysis, our ops swapped into the typed graph where they compute the same ([`rewrite`]),
//! and tract's optimiser. Native builds load every model this way (tract's native kernels are
//! fastest there); the page loads its second wasm module, built with this feature, only for a
//! model the direct plan does not take.

pub mod registry;
pub mod rewrite;

use tract_onnx::prelude::*;

use super::root_cause;
use crate::error::Error;
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

/// tract's optimiser, after our equivalent, faster forms of the graph ([`rewrite::apply`]).
pub fn optimise(model: InferenceModel) -> TractResult<TypedModel> {
    let mut typed = model.into_typed()?;
    rewrite::apply(&mut typed)?;
    typed.into_optimized()
}
