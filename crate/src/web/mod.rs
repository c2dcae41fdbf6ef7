//! The JavaScript faces of the crate, for WebAssembly only: thin layers that convert types and
//! turn [`Error`]s into JS `Error`s. The top of the crate: nothing else uses it.
//!
//! - [`page`] (feature `page`): the recognizer, for the page (the small module and the general
//!   one);
//! - [`learn`] (feature `learner`): the fine-tuner, for the learning Web Worker.
//!
//! Nothing here may panic on user input: a panic would leave the module in an unknown state.

#[cfg(feature = "learner")]
pub mod learn;
#[cfg(feature = "page")]
pub mod page;

use wasm_bindgen::prelude::*;

use crate::error::Error;

/// A JS `Error` with the message, and the case as data: `error.kind` is [`Error::kind`]
/// (`"model"`, `"needs-general"`, `"input"` or `"internal"`), so the page acts on it without
/// matching text.
pub(crate) fn js_error(e: Error) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("kind"), &JsValue::from_str(e.kind()));
    error.into()
}

/// Installs the panic hook once, so a bug (never user input) shows a message, not `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
