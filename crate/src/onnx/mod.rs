//! ONNX, without an engine: the contract every model honours, the schema, and reading a model
//! into one layer description. The bottom of the crate: it uses only [`crate::error`], and
//! every other module may use it; it builds for every target and feature (the learning
//! worker's module has no inference engine).
//!
//! - [`contract`]: the names, shapes and limits of the model contract, defined once;
//! - [`pb`]: the part of ONNX's protobuf schema we read and write (prost);
//! - [`operators`]: the operators accepted;
//! - [`attrs`], [`tensor`]: a node's attributes and a tensor's values, decoded (and encoded)
//!   once for every reader;
//! - [`read`]: bytes → a model checked against the contract;
//! - [`layers`]: a checked model → its layers, what the direct plan, the fine-tuner and the
//!   exporter's round-trip tests work from;
//! - [`budget`]: the work and memory a model asks for, checked before anything is planned.

pub mod attrs;
pub mod budget;
pub mod contract;
pub mod layers;
pub mod operators;
pub mod pb;
pub mod read;
pub mod tensor;

pub use contract::{CLASSES, INPUT_LEN, INPUT_NAME, INPUT_SIDE, OUTPUT_NAME};
pub use layers::{Layer, Layers};
