//! The trainer: LeNet-5's layers with their gradients, the training loop, distortions,
//! checkpoints, the ONNX writer and the fine-tuner that learns a person's handwriting.
//! Uses [`crate::onnx`] (the contract, the schema, the layer description) and
//! [`crate::error`]; nothing here uses the inference engine, so all of it but the native I/O
//! builds for wasm32 (the page's learning worker runs [`finetune`]).
//!
//! - [`net`]: the parameters and the forward and backward passes;
//! - [`trainer`]: minibatches, Adam, evaluation (parallel over chunks natively);
//! - [`augment`]: training-time distortions;
//! - [`synth`]: drawn-style digits and non-digits generated for training and evaluation;
//! - [`checkpoint`]: the training state as versioned, checksummed bytes;
//! - [`export`]: weights → ONNX;
//! - [`finetune`]: learning from a person's corrections;
//! - [`mnist`], [`report`], [`fonts`] (feature `cli`, native): reading and downloading MNIST,
//!   `metrics.json` and `training.svg`, letters and printed digits from installed fonts. Native
//!   only because the download's TLS stack does not build for wasm32.

pub mod augment;
pub mod checkpoint;
pub mod export;
pub mod finetune;
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub mod fonts;
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub mod mnist;
pub mod net;
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub mod report;
pub mod synth;
pub mod trainer;
