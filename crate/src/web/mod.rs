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

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::ink::strokes::Stroke;

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

/// Strokes from JS: an array of `Float32Array`s of `x, y` pairs (`stride` 2, the default) or
/// `x, y, t` triples (3).
pub(crate) fn strokes_from_js(strokes: Vec<JsValue>, stride: Option<u32>) -> Result<Vec<Stroke>, JsValue> {
    let stride = stride.unwrap_or(2) as usize;
    if strokes.len() > crate::ink::strokes::MAX_STROKES {
        return Err(js_error(Error::Input(format!(
            "{} strokes: at most {} are read",
            strokes.len(),
            crate::ink::strokes::MAX_STROKES
        ))));
    }
    let arrays = strokes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.dyn_ref::<js_sys::Float32Array>()
                .ok_or_else(|| js_error(Error::Input(format!("stroke {i} is not a Float32Array"))))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Sizes first, before anything is copied into the module's memory.
    let values: usize = arrays.iter().map(|a| a.length() as usize).sum();
    let most = crate::ink::strokes::MAX_POINTS * stride;
    if values > most {
        return Err(js_error(Error::Input(format!(
            "{values} stroke values: at most {most} are read"
        ))));
    }
    arrays
        .iter()
        .map(|a| Stroke::from_flat(&a.to_vec(), stride).map_err(js_error))
        .collect()
}
