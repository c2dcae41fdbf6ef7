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
