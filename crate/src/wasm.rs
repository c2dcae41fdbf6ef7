//! The JavaScript face of [`crate::Recognizer`]: converts types, maps errors to `Error`s.
//! Nothing here may panic on user input: a panic would kill the module for the page.

use wasm_bindgen::prelude::*;

use crate::error::Error;

fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Installs the panic hook once, so a bug (never user input) shows a message, not `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// LeNet-5 recognizer: `new Recognizer(modelBytes)`, then `recognize(rgba, w, h)` or `predict(input)`.
#[wasm_bindgen]
pub struct Recognizer {
    inner: crate::Recognizer,
}

#[derive(serde::Serialize)]
struct Recognized<'a> {
    empty: bool,
    digit: Option<u8>,
    confidence: f32,
    probabilities: &'a [f32],
    rect: Option<crate::preprocess::Rect>,
}

#[wasm_bindgen]
impl Recognizer {
    /// Loads an ONNX model (a `Uint8Array`); throws an `Error` saying why if it does not honour
    /// the contract (input `input` [N,1,32,32], output `probabilities` [N,10]).
    #[wasm_bindgen(constructor)]
    pub fn new(model: &[u8]) -> Result<Recognizer, JsError> {
        Ok(Recognizer {
            inner: crate::Recognizer::new(model).map_err(js_error)?,
        })
    }

    /// Recognises the drawing in RGBA pixels (`ImageData.data`) of a `width` x `height` canvas.
    /// Returns `{ empty, digit, confidence, probabilities, input, rect }`.
    pub fn recognize(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<JsValue, JsError> {
        let r = self
            .inner
            .recognize(rgba, width as usize, height as usize)
            .map_err(js_error)?;
        let out = Recognized {
            empty: r.empty,
            digit: r.digit,
            confidence: r.confidence,
            probabilities: &r.probabilities,
            rect: r.rect,
        };
        // `digit: null` (not `undefined`) on an empty pad, as documented.
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
        let value = serde::Serialize::serialize(&out, &serializer).map_err(|e| JsError::new(&e.to_string()))?;
        // A typed array is both faster and handier for drawing than a JS array of 1024 numbers.
        let input = js_sys::Float32Array::from(r.input.as_slice());
        js_sys::Reflect::set(&value, &JsValue::from_str("input"), &input)
            .map_err(|_| JsError::new("internal error: could not attach the input"))?;
        Ok(value)
    }

    /// The raw network on a ready 32x32 input (`Float32Array(1024)`); returns `Float32Array(10)`.
    pub fn predict(&mut self, input: &[f32]) -> Result<Vec<f32>, JsError> {
        Ok(self.inner.predict(input).map_err(js_error)?.to_vec())
    }

    /// The model's ONNX metadata as `{ key: value }`.
    pub fn metadata(&self) -> Result<JsValue, JsError> {
        let map: std::collections::BTreeMap<&str, &str> = self
            .inner
            .metadata()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        serde_wasm_bindgen::to_value(&map).map_err(|e| JsError::new(&e.to_string()))
    }
}
