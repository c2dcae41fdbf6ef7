//! The JavaScript face of [`crate::train::finetune`], for the page's learning Web Worker: a
//! module of its own (no inference engine), loaded the first time someone teaches the page.
//! Nothing here may panic on user input.

use wasm_bindgen::prelude::*;

use super::{js_error, strokes_from_js};
use crate::error::Error;
use crate::onnx::contract::INPUT_LEN;
use crate::train::finetune::{self, Correction, Options};
use crate::train::trainer::Samples;

/// Fine-tunes the model in `model` (an ONNX file this crate wrote) on corrections: `inputs`
/// holds `labels.length` 32x32 network inputs back to back. `replay` is the unpacked MNIST
/// replay sample (may be empty), `options` a partial `Options` object (or undefined), and
/// `progress(step, steps)` is called after each step. `drawings` (optional) holds, per
/// correction, the pen strokes it was drawn with, `{ strokes: Float32Array[], penWidth }` (x, y
/// pairs, any unit), or `null` where they were not kept: those are re-drawn a little differently
/// at every step instead of warped. Returns `{ model: Uint8Array, report }`: the personal
/// model's ONNX bytes and what the fine-tune did.
#[wasm_bindgen(js_name = fineTune)]
pub fn fine_tune(
    model: &[u8],
    inputs: &[f32],
    labels: &[u8],
    replay: &[u8],
    options: JsValue,
    progress: Option<js_sys::Function>,
    #[wasm_bindgen(unchecked_param_type = "Array<{ strokes: Float32Array[], penWidth: number } | null> | undefined")]
    drawings: Option<Vec<JsValue>>,
) -> Result<JsValue, JsValue> {
    let options: Options = if options.is_undefined() || options.is_null() {
        Options::default()
    } else {
        serde_wasm_bindgen::from_value(options).map_err(|e| js_error(Error::Input(format!("bad options: {e}"))))?
    };
    if inputs.len() != labels.len() * INPUT_LEN {
        return Err(js_error(Error::Input(format!(
            "{} input values for {} labels: each correction is {INPUT_LEN} values (32x32)",
            inputs.len(),
            labels.len()
        ))));
    }
    let base = finetune::params_from_onnx(model).map_err(js_error)?;
    let drawings = drawings.unwrap_or_default();
    if !drawings.is_empty() && drawings.len() != labels.len() {
        return Err(js_error(Error::Input(format!(
            "{} drawings for {} labels: one per correction (null where none was kept)",
            drawings.len(),
            labels.len()
        ))));
    }
    let mut corrections: Vec<Correction> = inputs
        .chunks_exact(INPUT_LEN)
        .zip(labels)
        .map(|(x, &label)| Correction {
            input: x.to_vec(),
            label,
            ..Default::default()
        })
        .collect();
    for (c, d) in corrections.iter_mut().zip(&drawings) {
        if d.is_null() || d.is_undefined() {
            continue;
        }
        let field = |name: &str| js_sys::Reflect::get(d, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        let strokes = js_sys::Array::try_from(field("strokes"))
            .map_err(|_| js_error(Error::Input("a drawing's `strokes` is not an array".into())))?;
        c.strokes = strokes_from_js(strokes.iter().collect(), Some(2))?;
        c.pen_width = field("penWidth").as_f64().unwrap_or(f64::NAN) as f32;
    }
    let (images, replay_labels) = if replay.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        finetune::parse_replay(replay).map_err(js_error)?
    };
    let replay = Samples {
        images: &images,
        labels: &replay_labels,
    };
    let (params, report) = finetune::fine_tune(&base, &corrections, replay, &options, |step, steps| {
        if let Some(f) = &progress {
            // A throwing callback must not stop the learning.
            let _ = f.call2(
                &JsValue::NULL,
                &JsValue::from(step as u32),
                &JsValue::from(steps as u32),
            );
        }
    })
    .map_err(js_error)?;
    let bytes = finetune::personal_onnx(&params, &finetune::onnx_metadata(model), corrections.len());
    let out = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&out, &JsValue::from_str(k), v);
    set("model", &js_sys::Uint8Array::from(&bytes[..]).into())
        .map_err(|_| js_error(Error::Internal("could not build the result".into())))?;
    let report = serde_wasm_bindgen::to_value(&report).map_err(|e| js_error(Error::Internal(e.to_string())))?;
    set("report", &report).map_err(|_| js_error(Error::Internal("could not build the result".into())))?;
    Ok(out.into())
}
