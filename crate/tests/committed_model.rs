//! The model the page ships (`model/lenet5.onnx`): its format is a contract, so a change of
//! format breaks this test, not the page.

mod common;

use lenet5::Recognizer;
use lenet5::train::mnist;
use lenet5::train::net::argmax;
use lenet5::{Model, onnx::contract::INPUT_LEN};
use prost::Message;
use tract_onnx::pb;

fn model_bytes() -> Vec<u8> {
    let path = common::repo_root().join("model/lenet5.onnx");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn committed_model_honours_the_contract() {
    let bytes = model_bytes();
    // int8 weight matrices with float32 scales (a quarter of float32's 248 KB).
    assert!(bytes.len() <= 70_000, "model is {} bytes, budget 70 KB", bytes.len());
    let proto = pb::ModelProto::decode(bytes.as_slice()).expect("valid protobuf");
    let g = proto.graph.as_ref().expect("graph");
    for t in g.initializer.iter().filter(|t| t.name.ends_with(".weight")) {
        assert_eq!(t.data_type, pb::tensor_proto::DataType::Int8 as i32, "{}", t.name);
        let scale = format!("{}_scale", t.name);
        let s = g.initializer.iter().find(|s| s.name == scale);
        assert!(
            s.is_some_and(|s| s.dims[0] == t.dims[0]),
            "{scale}: one per output map or unit"
        );
    }
    assert!(
        proto
            .opset_import
            .iter()
            .any(|o| o.domain.is_empty() && o.version >= 13)
    );
    let g = proto.graph.as_ref().expect("graph");
    let names: Vec<&str> = g.node.iter().map(|n| n.name.as_str()).collect();
    for layer in ["c1", "s2", "c3", "s4", "c5", "f6", "output"] {
        assert!(names.contains(&layer), "node {layer} missing: {names:?}");
    }
    let meta: Vec<&str> = proto.metadata_props.iter().map(|p| p.key.as_str()).collect();
    for key in ["accuracy", "seed", "epochs", "c3", "producer", "weights"] {
        assert!(meta.contains(&key), "metadata {key} missing: {meta:?}");
    }
    let mut model = Model::from_bytes(&bytes).expect("the committed model loads in tract");
    let p = model.predict(&[0.0; INPUT_LEN]).unwrap();
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
}

fn accuracy(model: &mut Model, data: &mnist::Dataset) -> f64 {
    let mut input = vec![0f32; INPUT_LEN];
    let mut correct = 0;
    for i in 0..data.len() {
        lenet5::train::augment::place(data.image(i), &mut input);
        if argmax(&model.predict(&input).unwrap()) == data.label(i) as usize {
            correct += 1;
        }
    }
    correct as f64 / data.len() as f64
}

#[test]
fn committed_model_reads_the_mnist_fixture() {
    let data = mnist::load_dir(&common::mini_mnist()).unwrap();
    let mut model = Model::from_bytes(&model_bytes()).unwrap();
    let acc = accuracy(&mut model, &data.test);
    eprintln!(
        "committed model on the 500-digit MNIST test fixture: {:.2}%",
        100.0 * acc
    );
    assert!(acc >= 0.985, "accuracy on the MNIST test fixture fell to {acc}");
}

#[test]
fn committed_model_scores_99_3_on_full_mnist() {
    let Some(dir) = mnist::shared_dir() else {
        common::skip(
            "committed_model_scores_99_3_on_full_mnist",
            "needs full MNIST at ../shared/data/mnist",
        );
        return;
    };
    let data = mnist::load_dir(&dir).unwrap();
    let mut model = Model::from_bytes(&model_bytes()).unwrap();
    let acc = accuracy(&mut model, &data.test);
    eprintln!("committed model on the 10,000 MNIST test digits: {:.2}%", 100.0 * acc);
    assert!(
        acc >= 0.993,
        "test accuracy {acc} is below the 99.3% the model card promises"
    );
    let claimed: f64 = pb::ModelProto::decode(model_bytes().as_slice())
        .unwrap()
        .metadata_props
        .iter()
        .find(|p| p.key == "accuracy")
        .and_then(|p| p.value.parse().ok())
        .expect("accuracy metadata");
    assert!(
        (claimed - acc).abs() <= 0.0001 + 1e-9,
        "metadata says {claimed}, tract measures {acc}"
    );
}

/// Hand-drawn-style stroke digits (not MNIST pixels) in many sizes, places, pens and colours,
/// through the whole recognizer: what the page does.
#[test]
fn recognizer_reads_drawn_digits() {
    let mut r = Recognizer::new(&model_bytes()).unwrap();
    let styles = [common::DARK_ON_LIGHT, common::LIGHT_ON_DARK, common::TRANSPARENT];
    let (w, h) = (280usize, 280usize);
    let (mut correct, mut total) = (0, 0);
    let mut misses = Vec::new();
    for d in 0..10u8 {
        for (k, &(x, y, size, pen)) in [
            (40.0, 40.0, 200.0, 18.0),
            (10.0, 120.0, 120.0, 12.0),
            (150.0, 20.0, 100.0, 20.0),
            (30.0, 30.0, 230.0, 6.0),
        ]
        .iter()
        .enumerate()
        {
            let style = styles[(d as usize + k) % styles.len()];
            let mut c = common::blank(w, h, style);
            common::draw(
                &mut c,
                w,
                h,
                &common::place(&common::digit_strokes(d), x, y, size),
                pen,
                style,
            );
            let out = r.recognize(&c, w, h).unwrap();
            assert!(!out.empty);
            total += 1;
            if out.digit == Some(d) {
                correct += 1;
            } else {
                misses.push((d, k, out.digit));
            }
        }
    }
    eprintln!("drawn digits: {correct}/{total} right; misses (digit, variant, read): {misses:?}");
    assert!(
        correct * 100 >= total * 90,
        "only {correct}/{total} drawn digits read right: {misses:?}"
    );
}

#[test]
fn recognizer_reports_an_empty_pad_as_empty() {
    let mut r = Recognizer::new(&model_bytes()).unwrap();
    let out = r
        .recognize(&common::blank(280, 280, common::DARK_ON_LIGHT), 280, 280)
        .unwrap();
    assert!(out.empty && out.digit.is_none() && out.probabilities.iter().all(|&p| p == 0.0));
    assert!(r.recognize(&[1, 2, 3], 280, 280).is_err());
    assert!(r.predict(&[f32::NAN; INPUT_LEN]).is_err());
    assert!(r.predict(&[0.0; 10]).is_err());
}

/// The browser's stroke fixture (Hershey stroke fonts at random size, place and slant, plus
/// hand-authored digits), drawn natively with a round pen as the page's canvas would.
#[test]
fn recognizer_reads_the_stroke_fixture() {
    let model = std::env::var("LENET5_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or(common::repo_root().join("model/lenet5.onnx"));
    let mut r = Recognizer::new(&std::fs::read(model).unwrap()).unwrap();
    let side = 280usize;
    let (mut correct, mut total) = (0, 0);
    for d in common::fixture_entries("strokes.json") {
        let label = d["label"].as_u64().unwrap() as u8;
        let strokes = common::strokes_of(&d);
        let mut c = common::blank(side, side, common::TRANSPARENT);
        let pen = side as f32 / 14.0;
        common::draw(
            &mut c,
            side,
            side,
            &common::place(&strokes, 0.0, 0.0, side as f32),
            pen,
            common::TRANSPARENT,
        );
        let out = r.recognize(&c, side, side).unwrap();
        total += 1;
        if out.digit == Some(label) {
            correct += 1;
        }
    }
    let acc = correct as f64 / total as f64;
    eprintln!(
        "stroke fixture, drawn natively: {correct}/{total} = {:.1}%",
        100.0 * acc
    );
    // Measured with the committed model: 217/220 = 98.6% (the MNIST-only model: 95.9%).
    assert!(acc >= 0.95, "stroke fixture accuracy fell to {acc}");
}

#[test]
fn bad_network_inputs_get_errors_in_words() {
    let mut model = Model::from_bytes(&model_bytes()).expect("committed model");
    let mut input = vec![0.0f32; 1024];
    for (v, says) in [
        (f32::NAN, "non-finite value (NaN) at index 500"),
        (f32::INFINITY, "non-finite value (inf) at index 500"),
        (f32::NEG_INFINITY, "non-finite value (-inf) at index 500"),
    ] {
        input[500] = v;
        let msg = model.predict(&input).unwrap_err().to_string();
        assert!(msg.starts_with("bad input: ") && msg.contains(says), "{msg}");
    }
    for len in [0, 3, 1023, 1025] {
        let msg = model.predict(&vec![0.0; len]).unwrap_err().to_string();
        assert!(msg.contains("1024") && msg.contains(&len.to_string()), "{msg}");
    }
    // Finite but far outside 0..1: float32 overflows inside the network; an error, not NaNs.
    let msg = model.predict(&[1e38; 1024]).unwrap_err().to_string();
    assert!(msg.contains("too far outside 0..1"), "{msg}");
    // Still works, and a value a little outside 0..1 is read as usual.
    let p = model.predict(&[1.5; 1024]).expect("mildly out of range");
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
}

/// The forms MNIST's writers rarely used (crossed 7s, flagged 1s, open 4s, ...; the style
/// fixture, authored apart from the trainer's generator), through the page's stroke path:
/// each form read right, and plain 1s and 7s kept right.
#[test]
fn recognizer_reads_the_forms_mnist_rarely_has() {
    let model = std::env::var("LENET5_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or(common::repo_root().join("model/lenet5.onnx"));
    let mut r = Recognizer::new(&std::fs::read(model).unwrap()).unwrap();
    let mut by_style: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for d in common::fixture_entries("styles.json") {
        let label = d["label"].as_u64().unwrap() as u8;
        let strokes = common::strokes_of(&d);
        // The page's pen: a 14th of the pad's side (the fixture's pad is the unit square).
        let out = r.recognize_strokes(&common::to_strokes(&strokes), 1.0 / 14.0).unwrap();
        let e = by_style.entry(d["style"].as_str().unwrap().to_string()).or_default();
        e.0 += usize::from(out.digit == Some(label));
        e.1 += 1;
    }
    eprintln!("style fixture through the stroke path: {by_style:?}");
    for (style, (ok, n)) in &by_style {
        let floor = if style.ends_with("-plain") { 0.99 } else { STYLE_FLOOR };
        assert!(
            *ok as f64 / *n as f64 >= floor,
            "{style}: {ok}/{n} read right, below {floor}"
        );
    }
}

/// Each rare form's floor, the model card's goal: the committed model reads every one of the
/// 240 right (the MNIST-only model: 0/16 long-flagged 1s, 6/16 flagged 1s).
const STYLE_FLOOR: f64 = 0.95;
