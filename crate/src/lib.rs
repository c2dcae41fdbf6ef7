//! LeNet-5 handwritten-digit recognition that runs the same in the browser and natively, and
//! the trainer that makes its model.
//!
//! Subsystems, each a folder whose module doc says what it owns and what it may use.
//! Dependencies point one way, down this list (`tests/module_graph.rs` checks it):
//!
//! | module | owns | uses |
//! |---|---|---|
//! | [`web`] | the wasm bindings: the page's recognizer, the learning worker's fine-tuner | all below |
//! | [`recognizer`] | [`Recognizer`] = ink + inference, the reject rule | `infer`, `ink`, `onnx` |
//! | [`infer`] | tract: [`Model`], the direct plan and our ops; tract's general path (feature `general`) | `onnx` |
//! | [`train`] | the trainer, checkpoints, the ONNX writer, the fine-tuner; MNIST and reports (feature `cli`) | `onnx` |
//! | [`ink`] | pixels → the 32x32 input; a written number → its digits | `onnx` |
//! | [`onnx`] | the model contract, the ONNX schema, reading a model into one layer description | `error` |
//! | [`error`] | the one error type | — |
//!
//! Three wasm modules come from this crate: the page's recognizer (`--no-default-features
//! --features page`: models load through the direct plan only), the general one (default
//! features: tract's general ONNX path too, fetched by the page only for a model the direct plan
//! does not take), and the learning worker's (`--no-default-features --features learner`: no
//! inference engine). See `docs/architecture.md`.
#![forbid(unsafe_code)]

pub mod error;
#[cfg(feature = "page")]
pub mod infer;
pub mod ink;
pub mod onnx;
#[cfg(feature = "page")]
pub mod recognizer;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::Error;
#[cfg(feature = "page")]
pub use infer::Model;
#[cfg(feature = "page")]
pub use recognizer::{NumberReading, Recognition, Recognizer, RejectRule, StrokeReading};
