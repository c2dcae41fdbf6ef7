//! tract ops of our own: the network's arithmetic in plain Rust that the compiler vectorises
//! for WebAssembly, run inside tract's plan. Each computes what the ONNX operator does (to float
//! rounding for the convolutions, bit for bit for the pools), on concrete shapes.
//!
//! Uses tract-core's op traits and [`crate::onnx::contract`] only; the direct plan and tract's
//! general path use these ops, never the other way round.

pub mod activation;
pub mod conv;
pub mod pool;

pub use activation::{Relu, Softmax};
pub use conv::{DirectConv, Geometry};
pub use pool::{AvgPool2x2, MaxPool2x2};

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;

/// Implements tract's `Op`, `EvalOp` and `TypedOp` for a stateless op of one input:
/// `$eval(TValue) -> TractResult<Tensor>` computes the output, `$facts(&TypedFact) ->
/// TractResult<TVec<TypedFact>>` types it.
macro_rules! single_input_op {
    ($op:ty, $name:literal, $eval:expr, $facts:expr) => {
        impl Op for $op {
            fn name(&self) -> StaticName {
                $name.into()
            }

            op_as_typed_op!();
        }

        impl EvalOp for $op {
            op_out_of_plan!();

            fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
                let input = args_1!(inputs);
                let eval: fn(TValue) -> TractResult<Tensor> = $eval;
                Ok(tvec!(eval(input)?.into_tvalue()))
            }
        }

        impl TypedOp for $op {
            fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
                let facts: fn(&TypedFact) -> TractResult<TVec<TypedFact>> = $facts;
                facts(inputs[0])
            }

            as_op!();
        }
    };
}
pub(crate) use single_input_op;

/// The output fact of an element-wise float32 op: its input's.
fn same_float32(input: &TypedFact) -> TractResult<TVec<TypedFact>> {
    ensure!(input.datum_type == f32::datum_type());
    Ok(tvec!(input.without_value()))
}
