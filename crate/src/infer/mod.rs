//! Inference with tract: a checked model ([`crate::onnx`]) planned once and run many times.
//! Uses [`crate::onnx`] and [`crate::error`] only; the recognizer and the bindings use it.
//!
//! - [`model`]: [`Model`], what callers load and run;
//! - [`direct`]: the browser's plan, a LeNet-shaped model's layers as tract ops of our own;
//! - [`ops`]: those ops (convolutions, pools, ReLU, softmax);
//! - [`general`] (feature `general`): tract's general ONNX path for any graph of the accepted
//!   operators, with our ops swapped in where they compute the same.

pub mod direct;
#[cfg(feature = "general")]
pub mod general;
pub mod model;
pub mod ops;

pub use model::{FeatureMap, Model};

use tract_onnx::prelude::TractError;

/// tract errors come as a chain of contexts; the innermost one is what a user can act on.
fn root_cause(e: &TractError) -> String {
    let first = e.to_string();
    match e.root_cause().to_string() {
        root if root != first => format!("{first}: {root}"),
        _ => first,
    }
}
