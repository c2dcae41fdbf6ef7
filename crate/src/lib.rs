//! LeNet-5 handwritten-digit recognition that runs the same in the browser and natively.
//!
//! [`Recognizer`] = [`preprocess`] (canvas pixels → MNIST-style 32x32) + [`model`] (tract).
//! The `wasm` module is a thin binding over it. The trainer (`net`, `augment`, `train`,
//! `checkpoint`, `onnx_export`) produces the model it loads; it is plain Rust so it also
//! builds for wasm32, where [`finetune`] learns a person's handwriting in the page's worker.
//!
//! Three wasm modules come from this crate: the page's recognizer (`wasm`, `--no-default-features
//! --features page`: models load through [`direct_load`] only, 0.47 MB gzip), the general one
//! (default features `page` + `general`: tract's general ONNX path too, fetched by the page only
//! for a model the direct loader does not take), and the learning worker's (`wasm_learn`,
//! `--no-default-features --features learner`: no inference engine, so it stays small and loads
//! only when someone teaches the page).
#![forbid(unsafe_code)]

pub mod augment;
pub mod checkpoint;
#[cfg(feature = "page")]
pub mod direct_conv;
#[cfg(feature = "page")]
pub mod direct_load;
pub mod error;
#[cfg(feature = "page")]
pub mod fast_pool;
pub mod finetune;
#[cfg(feature = "page")]
pub mod model;
pub mod net;
pub mod onnx_export;
#[cfg(feature = "general")]
pub mod onnx_ops;
pub mod onnx_pb;
#[cfg(feature = "page")]
pub mod operators;
#[cfg(feature = "page")]
pub mod preprocess;
#[cfg(feature = "page")]
pub mod recognizer;
#[cfg(feature = "general")]
pub mod rewrite;
#[cfg(feature = "page")]
pub mod segment;
pub mod train;

#[cfg(not(target_arch = "wasm32"))]
pub mod mnist;
#[cfg(not(target_arch = "wasm32"))]
pub mod report;

#[cfg(all(target_arch = "wasm32", feature = "page"))]
pub mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "learner"))]
pub mod wasm_learn;

pub use error::Error;
#[cfg(feature = "page")]
pub use model::Model;
#[cfg(feature = "page")]
pub use recognizer::{NumberReading, Recognition, Recognizer, RejectRule};
