//! The JavaScript face of [`crate::Recognizer`]: converts types, maps errors to `Error`s
//! ([`super::js_error`]). Nothing here may panic on user input.

use wasm_bindgen::prelude::*;

use super::{js_error, strokes_from_js};
use crate::error::Error;

/// LeNet-5 recognizer: `new Recognizer(modelBytes)`, then `recognize(rgba, w, h)` or `predict(input)`.
#[wasm_bindgen]
pub struct Recognizer {
    inner: crate::Recognizer,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A box on the canvas, in canvas pixels. */
export interface Rect { x: number; y: number; width: number; height: number; }
/** What `recognize` or `recognizeStrokes` read: the whole drawing as one digit. */
export interface Recognition {
  /** No ink (or only specks): `digit` is null. */
  empty: boolean;
  digit: number | null;
  /** Probability of `digit` (0 when empty). */
  confidence: number;
  /** Softmax over 0-9 (all zero when empty). */
  probabilities: number[];
  /** The 32x32 input the network saw, row-major, 0 = background, 1 = ink. */
  input: Float32Array;
  /** Where the ink is (null when empty). */
  rect: Rect | null;
  /** The reading passes the reject rule (false when empty): show "not sure" otherwise. */
  sure: boolean;
  runnerUp: number | null;
  runnerUpConfidence: number;
}
/** One digit of a written number. */
export interface NumberDigit extends Rect {
  digit: number;
  confidence: number;
  sure: boolean;
  runnerUp: number;
  runnerUpConfidence: number;
}
/** What `recognizeNumber` read: digits left to right; `text` is "" on an empty pad. */
export interface NumberReading { text: string; digits: NumberDigit[]; }
/** One layer's activations: `channels` maps of height x width, channel-major. */
export interface FeatureMap { channels: number; height: number; width: number; data: Float32Array; }
/** C1 (6 maps of 28x28) and C3 (16 maps of 10x10) in LeNet-5, after their activation. */
export interface FeatureMaps { c1: FeatureMap; c3: FeatureMap; }
/** What `readStrokes` read: the number, the digit in focus and, if asked for, its feature maps. */
export interface StrokeReading {
  number: NumberReading;
  /** The whole drawing as one digit (as `recognizeStrokes`) when it is one digit, or two that the
   * network reads surely as one (a 1 with a separate foot); else the digit where the pen was last. */
  focus: Recognition;
  /** `focus`'s feature maps; null unless asked for, on a model that has them, with ink. */
  maps: FeatureMaps | null;
}
"#;

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Recognized<'a> {
    empty: bool,
    digit: Option<u8>,
    confidence: f32,
    probabilities: &'a [f32],
    rect: Option<crate::ink::preprocess::Rect>,
    sure: bool,
    runner_up: Option<u8>,
    runner_up_confidence: f32,
}

/// One digit of a `NumberReading` for JS, its box's fields inline. Written out rather than
/// `#[serde(flatten)]`, which serialises through a map with a string decoded per key on every
/// reading (most of a number reading's cost in the browser).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Digit {
    digit: u8,
    confidence: f32,
    sure: bool,
    runner_up: u8,
    runner_up_confidence: f32,
    x: usize,
    y: usize,
    width: usize,
    height: usize,
}

#[derive(serde::Serialize)]
struct Number<'a> {
    text: &'a str,
    digits: Vec<Digit>,
}

fn number_to_js(reading: &crate::NumberReading) -> Result<JsValue, JsValue> {
    let digits = reading
        .digits
        .iter()
        .map(|d| Digit {
            digit: d.digit,
            confidence: d.confidence,
            sure: d.sure,
            runner_up: d.runner_up,
            runner_up_confidence: d.runner_up_confidence,
            x: d.rect.x,
            y: d.rect.y,
            width: d.rect.width,
            height: d.rect.height,
        })
        .collect();
    to_js(&Number {
        text: &reading.text,
        digits,
    })
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    // `null` (not `undefined`) for absent values, as documented; plain objects, not `Map`s
    // (`#[serde(flatten)]` serialises as a map).
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| js_error(Error::Internal(e.to_string())))
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    js_sys::Reflect::set(target, &JsValue::from_str(wasm_bindgen::intern(key)), value)
        .map(|_| ())
        .map_err(|_| js_error(Error::Internal("could not build the result object".into())))
}

/// A [`crate::Recognition`] as the documented JS object.
fn recognition_to_js(r: &crate::Recognition) -> Result<JsValue, JsValue> {
    let out = Recognized {
        empty: r.empty,
        digit: r.digit,
        confidence: r.confidence,
        probabilities: &r.probabilities,
        rect: r.rect,
        sure: r.sure,
        runner_up: r.runner_up,
        runner_up_confidence: r.runner_up_confidence,
    };
    let value = to_js(&out)?;
    // A typed array is both faster and handier for drawing than a JS array of 1024 numbers.
    set(&value, "input", &js_sys::Float32Array::from(r.input.as_slice()))?;
    Ok(value)
}

fn feature_map_to_js(map: &crate::infer::FeatureMap) -> Result<JsValue, JsValue> {
    let obj = JsValue::from(js_sys::Object::new());
    set(&obj, "channels", &JsValue::from(map.channels as u32))?;
    set(&obj, "height", &JsValue::from(map.height as u32))?;
    set(&obj, "width", &JsValue::from(map.width as u32))?;
    set(&obj, "data", &js_sys::Float32Array::from(map.data.as_slice()))?;
    Ok(obj)
}

fn maps_to_js([c1, c3]: &[crate::infer::FeatureMap; 2]) -> Result<JsValue, JsValue> {
    let obj = JsValue::from(js_sys::Object::new());
    set(&obj, "c1", &feature_map_to_js(c1)?)?;
    set(&obj, "c3", &feature_map_to_js(c3)?)?;
    Ok(obj)
}

#[wasm_bindgen]
impl Recognizer {
    /// Loads an ONNX model (a `Uint8Array`); throws an `Error` saying why if it does not honour
    /// the contract (input `input` [N,1,32,32], output `probabilities` [N,10]).
    #[wasm_bindgen(constructor)]
    pub fn new(model: &[u8]) -> Result<Recognizer, JsValue> {
        Ok(Recognizer {
            inner: crate::Recognizer::new(model).map_err(js_error)?,
        })
    }

    /// Recognises the drawing in RGBA pixels (`ImageData.data`) of a `width` x `height` canvas
    /// as one digit (an image: a photo, a scan; the page reads its pen strokes instead).
    #[wasm_bindgen(unchecked_return_type = "Recognition")]
    pub fn recognize(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<JsValue, JsValue> {
        let r = self
            .inner
            .recognize(rgba, width as usize, height as usize)
            .map_err(js_error)?;
        recognition_to_js(&r)
    }

    /// Recognises pen strokes as one digit: `strokes` is an array of `Float32Array`s, one per
    /// stroke, each `x, y` pairs (or `x, y, t` triples with `stride` 3) in the units of the
    /// surface drawn on (CSS pixels), and `penWidth` the pen's width in the same units. The
    /// strokes are drawn straight into the network's input: no canvas read-back.
    #[wasm_bindgen(js_name = recognizeStrokes, unchecked_return_type = "Recognition")]
    pub fn recognize_strokes(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array[]")] strokes: Vec<JsValue>,
        #[wasm_bindgen(js_name = penWidth)] pen_width: f32,
        #[wasm_bindgen(unchecked_param_type = "2 | 3 | undefined")] stride: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let strokes = strokes_from_js(strokes, stride)?;
        let r = self.inner.recognize_strokes(&strokes, pen_width).map_err(js_error)?;
        recognition_to_js(&r)
    }

    /// Reads the drawing as a number: digits left to right with their boxes in canvas pixels.
    #[wasm_bindgen(js_name = recognizeNumber, unchecked_return_type = "NumberReading")]
    pub fn recognize_number(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<JsValue, JsValue> {
        let reading = self
            .inner
            .recognize_number(rgba, width as usize, height as usize)
            .map_err(js_error)?;
        number_to_js(&reading)
    }

    /// Reads pen strokes (as for `recognizeStrokes`) as a number: digits left to right with
    /// their boxes in the strokes' units.
    #[wasm_bindgen(js_name = recognizeNumberStrokes, unchecked_return_type = "NumberReading")]
    pub fn recognize_number_strokes(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array[]")] strokes: Vec<JsValue>,
        #[wasm_bindgen(js_name = penWidth)] pen_width: f32,
        #[wasm_bindgen(unchecked_param_type = "2 | 3 | undefined")] stride: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let strokes = strokes_from_js(strokes, stride)?;
        let reading = self
            .inner
            .recognize_number_strokes(&strokes, pen_width)
            .map_err(js_error)?;
        number_to_js(&reading)
    }

    /// Everything a page shows for pen strokes (as for `recognizeStrokes`), in one reading: the
    /// number, the digit in focus (see `crate::Recognizer::read_strokes`) and, with `maps`
    /// true, its feature maps. One framing and one network run per call for the digit being
    /// written (two while a second digit is), however long the number.
    #[wasm_bindgen(js_name = readStrokes, unchecked_return_type = "StrokeReading")]
    pub fn read_strokes(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array[]")] strokes: Vec<JsValue>,
        #[wasm_bindgen(js_name = penWidth)] pen_width: f32,
        #[wasm_bindgen(unchecked_param_type = "2 | 3 | undefined")] stride: Option<u32>,
        maps: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        let strokes = strokes_from_js(strokes, stride)?;
        let read = self
            .inner
            .read_strokes(&strokes, pen_width, maps.unwrap_or(false))
            .map_err(js_error)?;
        let obj = JsValue::from(js_sys::Object::new());
        set(&obj, "number", &number_to_js(&read.number)?)?;
        set(&obj, "focus", &recognition_to_js(&read.focus)?)?;
        let maps = match &read.maps {
            Some(maps) => maps_to_js(maps)?,
            None => JsValue::NULL,
        };
        set(&obj, "maps", &maps)?;
        Ok(obj)
    }

    /// The C1 and C3 feature maps (after activation) for a 32x32 input such as `recognize`'s
    /// `input`. Throws if the model has no such layers (see `hasFeatureMaps`).
    #[wasm_bindgen(js_name = featureMaps, unchecked_return_type = "FeatureMaps")]
    pub fn feature_maps(&mut self, input: &[f32]) -> Result<JsValue, JsValue> {
        maps_to_js(&self.inner.feature_maps(input).map_err(js_error)?)
    }

    /// Whether `featureMaps` works with this model (it needs two convolution layers).
    #[wasm_bindgen(getter, js_name = hasFeatureMaps)]
    pub fn has_feature_maps(&self) -> bool {
        self.inner.has_feature_maps()
    }

    /// The raw network on a ready 32x32 input (`Float32Array(1024)`); returns `Float32Array(10)`.
    pub fn predict(&mut self, input: &[f32]) -> Result<Vec<f32>, JsValue> {
        Ok(self.inner.predict(input).map_err(js_error)?.to_vec())
    }

    /// The model's ONNX metadata as `{ key: value }`.
    #[wasm_bindgen(unchecked_return_type = "Record<string, string>")]
    pub fn metadata(&self) -> Result<JsValue, JsValue> {
        let map: std::collections::BTreeMap<&str, &str> = self
            .inner
            .metadata()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        to_js(&map)
    }
}
