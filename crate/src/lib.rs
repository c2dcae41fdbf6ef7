//! LeNet-5 handwritten-digit recognition that runs the same in the browser and natively.
//!
//! [`Recognizer`] = [`preprocess`] (canvas pixels → MNIST-style 32x32) + [`model`] (tract).
//! The `wasm` module is a thin binding over it. The trainer (`net`, `augment`, `train`,
//! `checkpoint`, `onnx_export`) produces the model it loads; it is plain Rust so it also
//! builds for wasm32.
#![forbid(unsafe_code)]

pub mod augment;
pub mod checkpoint;
pub mod error;
pub mod model;
pub mod net;
pub mod onnx_export;
pub mod onnx_ops;
pub mod preprocess;
pub mod recognizer;
pub mod segment;
pub mod train;

#[cfg(not(target_arch = "wasm32"))]
pub mod mnist;
#[cfg(not(target_arch = "wasm32"))]
pub mod report;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::Error;
pub use model::Model;
pub use recognizer::{NumberReading, Recognition, Recognizer, RejectRule};
