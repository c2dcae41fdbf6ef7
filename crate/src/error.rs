//! One error type for everything a user can hand us: a model file, pixels, a network input.

/// What went wrong, in words a person can act on. The wasm layer turns it into a JS `Error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The model bytes are not a usable LeNet-5 ONNX (not ONNX, wrong shapes, broken weights).
    #[error("bad model: {0}")]
    Model(String),
    /// Pixels or a network input that break the documented limits.
    #[error("bad input: {0}")]
    Input(String),
    /// Something that should not happen with a model that passed its checks.
    #[error("internal error: {0}")]
    Internal(String),
}
