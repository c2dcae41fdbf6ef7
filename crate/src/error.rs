//! One error type for everything a user can hand us: a model file, pixels, a network input.
//! At the bottom of the crate with [`crate::onnx`]: every module may use it.

/// What went wrong, in words a person can act on. The wasm layer turns it into a JS `Error`
/// whose `kind` field is [`Error::kind`], so the page can act on the case without reading text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The model bytes are not a usable LeNet-5 ONNX (not ONNX, wrong shapes, broken weights).
    #[error("bad model: {0}")]
    Model(String),
    /// A model this build cannot run but the general engine (feature `general`) can: the
    /// page's small module says so, and the page loads the general module for it. Holds why
    /// the direct plan does not take it.
    #[error("bad model: this model needs the general engine ({0})")]
    NeedsGeneral(String),
    /// Pixels or a network input that break the documented limits.
    #[error("bad input: {0}")]
    Input(String),
    /// Something that should not happen with a model that passed its checks.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The case as a short code for JavaScript: `"model"`, `"needs-general"`, `"input"` or
    /// `"internal"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Model(_) => "model",
            Error::NeedsGeneral(_) => "needs-general",
            Error::Input(_) => "input",
            Error::Internal(_) => "internal",
        }
    }
}
