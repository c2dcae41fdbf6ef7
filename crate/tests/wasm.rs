//! The JavaScript bindings, run in Node by wasm-bindgen-test-runner
//! (`cargo test --target wasm32-unknown-unknown --test wasm`): errors are thrown, not trapped.
#![cfg(target_arch = "wasm32")]

mod common;

use lenet5::wasm::Recognizer;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const MODEL: &[u8] = include_bytes!("../../model/lenet5.onnx");

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).expect("field")
}

#[wasm_bindgen_test]
fn bad_models_throw_and_the_module_survives() {
    for bad in [
        &b""[..],
        &b"not a model"[..],
        &MODEL[..MODEL.len() / 3],
        &[0u8; 1000][..],
    ] {
        assert!(Recognizer::new(bad).is_err(), "{} bad bytes accepted", bad.len());
    }
    // The module still works after the failures.
    assert!(Recognizer::new(MODEL).is_ok());
}

#[wasm_bindgen_test]
fn recognizes_a_drawn_digit_and_reports_empty_pads() {
    let mut r = Recognizer::new(MODEL).expect("model");
    let (w, h) = (200usize, 200usize);
    let mut c = common::blank(w, h, common::TRANSPARENT);
    common::draw(
        &mut c,
        w,
        h,
        &common::place(&common::digit_strokes(7), 30.0, 20.0, 150.0),
        14.0,
        common::TRANSPARENT,
    );
    let out = r.recognize(&c, w as u32, h as u32).expect("recognize");
    assert_eq!(field(&out, "empty"), JsValue::FALSE);
    assert_eq!(field(&out, "digit").as_f64(), Some(7.0));
    let input = js_sys::Float32Array::from(field(&out, "input"));
    assert_eq!(input.length(), 1024);
    let probs = js_sys::Array::from(&field(&out, "probabilities"));
    assert_eq!(probs.length(), 10);

    let empty = r
        .recognize(&common::blank(w, h, common::TRANSPARENT), w as u32, h as u32)
        .unwrap();
    assert_eq!(field(&empty, "empty"), JsValue::TRUE);
    assert!(field(&empty, "digit").is_null());
}

#[wasm_bindgen_test]
fn bad_pixels_and_inputs_throw() {
    let mut r = Recognizer::new(MODEL).expect("model");
    assert!(r.recognize(&[0; 12], 2, 2).is_err());
    assert!(r.recognize(&[], 0, 0).is_err());
    assert!(r.predict(&[f32::NAN; 1024]).is_err());
    assert!(r.predict(&[0.0; 3]).is_err());
    let p = r.predict(&[0.0; 1024]).expect("predict");
    assert_eq!(p.len(), 10);
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
}

#[wasm_bindgen_test]
fn reads_numbers_and_feature_maps_as_js_objects() {
    let mut r = Recognizer::new(MODEL).expect("model");
    let (w, h) = (420usize, 200usize);
    let mut c = common::blank(w, h, common::DARK_ON_LIGHT);
    let mut strokes = common::place(&common::digit_strokes(4), 20.0, 25.0, 150.0);
    strokes.extend(common::place(&common::digit_strokes(2), 150.0, 25.0, 150.0));
    strokes.extend(common::place(&common::digit_strokes(7), 270.0, 25.0, 150.0));
    common::draw(&mut c, w, h, &strokes, 14.0, common::DARK_ON_LIGHT);
    let reading = r.recognize_number(&c, w as u32, h as u32).expect("recognizeNumber");
    assert_eq!(field(&reading, "text").as_string().as_deref(), Some("427"));
    let digits = js_sys::Array::from(&field(&reading, "digits"));
    assert_eq!(digits.length(), 3);
    for key in ["digit", "confidence", "sure", "runnerUp", "x", "y", "width", "height"] {
        assert!(!field(&digits.get(0), key).is_undefined(), "digit has no {key}");
    }
    let one = r.recognize(&c, w as u32, h as u32).expect("recognize");
    assert!(!field(&one, "sure").is_undefined() && !field(&one, "runnerUp").is_undefined());

    assert!(r.has_feature_maps());
    let maps = r.feature_maps(&[0.5; 1024]).expect("featureMaps");
    for (layer, channels, side) in [("c1", 6, 28), ("c3", 16, 10)] {
        let m = field(&maps, layer);
        assert_eq!(field(&m, "channels").as_f64(), Some(channels as f64));
        assert_eq!(field(&m, "width").as_f64(), Some(side as f64));
        let data = js_sys::Float32Array::from(field(&m, "data"));
        assert_eq!(data.length(), (channels * side * side) as u32);
    }
    assert!(r.feature_maps(&[f32::NAN; 1024]).is_err());
    let empty = r
        .recognize_number(&common::blank(50, 50, common::DARK_ON_LIGHT), 50, 50)
        .unwrap();
    assert_eq!(field(&empty, "text").as_string().as_deref(), Some(""));
}
