//! The exported ONNX file: tract reads back exactly what the trainer computes, and files that
//! break the contract are refused with a message that says why.

mod common;

use lenet5::onnx::contract::{CLASSES, INPUT_LEN};
use lenet5::train::export;
use lenet5::train::net::{C3Mode, Params, Workspace};
use lenet5::{Error, Model};
use prost::Message;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn meta() -> Vec<(String, String)> {
    vec![("seed".into(), "9".into()), ("c3".into(), "paper".into())]
}

#[test]
fn export_round_trips_through_tract() {
    for c3 in [C3Mode::Full, C3Mode::Paper] {
        let params = Params::init(9, c3);
        let bytes = export::to_bytes(&params, &meta());
        let mut model = Model::from_bytes(&bytes).expect("exported model loads");
        assert!(model.metadata().iter().any(|(k, v)| k == "c3" && v == "paper"));
        agrees_with_trainer(&mut model, &params, 1, &format!("{c3:?}"));
    }
}

/// tract on `model` and the trainer on `params` give the same probabilities (1e-5) for 8
/// random inputs drawn with `seed`.
fn agrees_with_trainer(model: &mut Model, params: &Params, seed: u64, what: &str) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = 8;
    let x: Vec<f32> = (0..n * INPUT_LEN).map(|_| rng.random_range(0.0..1.0)).collect();
    let mut ws = Workspace::new(n);
    ws.forward(params, &x);
    for i in 0..n {
        let p = model.predict(&x[i * INPUT_LEN..][..INPUT_LEN]).unwrap();
        for (k, (a, b)) in p.iter().zip(&ws.probs[i * CLASSES..][..CLASSES]).enumerate() {
            assert!(
                (a - b).abs() < 1e-5,
                "{what} digit {i} class {k}: tract {a} vs trainer {b}"
            );
        }
    }
}

/// Our schema subset (`onnx_pb`) against tract's whole `onnx.proto`: tract decodes what we write
/// into the same message, field for field (re-encoding it gives the same bytes), and we decode
/// tract's encoding back to what we wrote. A wrong field number or type would break both.
#[test]
fn our_onnx_schema_agrees_with_tracts() {
    for c3 in [C3Mode::Full, C3Mode::Paper] {
        let ours = export::to_model(&Params::init(3, c3), &meta());
        let bytes = ours.encode_to_vec();
        let theirs = tract_onnx::pb::ModelProto::decode(&bytes[..]).expect("tract decodes our model");
        let g = theirs.graph.as_ref().unwrap();
        assert_eq!(g.node.len(), 13);
        assert_eq!(g.initializer.len(), 10);
        assert_eq!(g.initializer[0].name, "c1.weight");
        assert_eq!(g.initializer[0].dims, [6, 1, 5, 5]);
        assert_eq!(theirs.metadata_props.len(), meta().len());
        assert_eq!(
            theirs.encode_to_vec(),
            bytes,
            "{c3:?}: tract re-encodes our model differently"
        );
        let back = lenet5::onnx::pb::ModelProto::decode(&theirs.encode_to_vec()[..]).unwrap();
        assert_eq!(back, ours);
    }
}

/// Float16 weights behind a Cast, int8 weights behind a Cast and a per-map scale: tract loads
/// the file and computes what the trainer computes with the same rounded weights; the file is
/// about half (a quarter) the size; the fine-tuner reads the weights back.
#[test]
fn smaller_weights_match_the_rounded_weights() {
    use export::Precision;
    for (precision, max_size_percent) in [(Precision::F16, 52), (Precision::I8, 28)] {
        for c3 in [C3Mode::Full, C3Mode::Paper] {
            let params = Params::init(11, c3);
            let f32_bytes = export::to_bytes(&params, &meta());
            let bytes = export::to_bytes_as(&params, &meta(), precision);
            assert!(
                bytes.len() * 100 < f32_bytes.len() * max_size_percent,
                "{precision:?}: {} vs {} bytes",
                bytes.len(),
                f32_bytes.len()
            );
            let rounded = export::rounded(&params, precision);
            assert_ne!(rounded, params);
            for t in lenet5::train::net::tensors() {
                let (a, b) = (&params.data[t.offset..][..t.len], &rounded.data[t.offset..][..t.len]);
                if !t.name.ends_with(".weight") {
                    assert_eq!(a, b, "{precision:?}: biases stay float32");
                    continue;
                }
                // float16: relative to each weight; int8: half a step of the map's or unit's scale.
                for (row_a, row_b) in a.chunks(t.len / t.shape[0]).zip(b.chunks(t.len / t.shape[0])) {
                    let max = row_a.iter().fold(0f32, |m, v| m.max(v.abs()));
                    for (x, y) in row_a.iter().zip(row_b) {
                        let bound = match precision {
                            Precision::I8 => max / 254.0 * 1.0001,
                            _ => x.abs() * 1e-3 + 1e-7,
                        };
                        assert!((x - y).abs() <= bound, "{precision:?} {}: {x} stored as {y}", t.name);
                        if *x == 0.0 {
                            assert_eq!(*y, 0.0, "a zero weight (the paper's C3 table) stays zero");
                        }
                    }
                }
            }
            let mut model = Model::from_bytes(&bytes).expect("the model loads in tract");
            agrees_with_trainer(&mut model, &rounded, 2, &format!("{precision:?} {c3:?}"));
            let back = lenet5::train::finetune::params_from_onnx(&bytes).unwrap();
            assert_eq!(back, rounded);
            // A NaN hidden in the stored weights (float16) or a scale (int8) is refused like a
            // float32 one.
            let mut m = export::to_model_as(&params, &meta(), precision);
            let g = m.graph.as_mut().unwrap();
            let (name, nan) = match precision {
                Precision::I8 => ("c3.weight_scale", f32::NAN.to_le_bytes().to_vec()),
                _ => ("c3.weight", vec![0x00, 0x7e]),
            };
            let t = g.initializer.iter_mut().find(|t| t.name == name).unwrap();
            t.raw_data[..nan.len()].copy_from_slice(&nan);
            match Model::from_bytes(&m.encode_to_vec()) {
                Err(Error::Model(msg)) => assert!(msg.contains("NaN"), "{msg}"),
                other => panic!("{precision:?}: a NaN weight: {:?}", other.map(|_| ())),
            }
            if precision == Precision::I8 {
                // Without its scales the int8 weights mean nothing: the fine-tuner says so.
                let mut m = export::to_model_as(&params, &meta(), precision);
                m.graph
                    .as_mut()
                    .unwrap()
                    .initializer
                    .retain(|t| t.name != "f6.weight_scale");
                match lenet5::train::finetune::params_from_onnx(&m.encode_to_vec()) {
                    Err(Error::Model(msg)) => assert!(msg.contains("f6.weight_scale"), "{msg}"),
                    other => panic!("int8 weights without their scales: {:?}", other.map(|_| ())),
                }
            }
        }
    }
}

/// A diverged training run (a NaN weight) must not be hidden by rounding: int8 would turn the
/// NaN into a 0, so its map gets a NaN scale, and tract refuses the file in words.
#[test]
fn int8_export_keeps_a_diverged_weight_visible() {
    let mut params = Params::init(3, C3Mode::Full);
    let c5 = lenet5::train::net::tensors()
        .into_iter()
        .find(|t| t.name == "c5.weight")
        .unwrap();
    params.data[c5.offset + 7] = f32::NAN;
    let bytes = export::to_bytes_as(&params, &meta(), export::Precision::I8);
    match Model::from_bytes(&bytes) {
        Err(Error::Model(msg)) => assert!(msg.contains("c5.weight_scale") && msg.contains("NaN"), "{msg}"),
        other => panic!("a NaN weight stored as int8: {:?}", other.map(|_| ())),
    }
    let rounded = export::rounded(&params, export::Precision::I8);
    assert!(
        rounded.data[c5.offset..][..400].iter().all(|v| v.is_nan()),
        "the whole map is NaN"
    );
    assert!(
        rounded.data[c5.offset + 400..][..400].iter().all(|v| v.is_finite()),
        "the next map is not"
    );
}

#[test]
fn export_follows_the_contract() {
    let model = export::to_model(&Params::init(1, C3Mode::Full), &meta());
    assert!(
        model
            .opset_import
            .iter()
            .any(|o| o.domain.is_empty() && o.version >= 13)
    );
    let g = model.graph.as_ref().unwrap();
    assert_eq!(g.input.len(), 1);
    assert_eq!(g.input[0].name, "input");
    assert_eq!(g.output[0].name, "probabilities");
    let names: Vec<&str> = g.node.iter().map(|n| n.name.as_str()).collect();
    for layer in ["c1", "s2", "c3", "s4", "c5", "f6", "output"] {
        assert!(names.contains(&layer), "no node named {layer} in {names:?}");
    }
    let standard = ["Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Softmax"];
    assert!(
        g.node
            .iter()
            .all(|n| standard.contains(&n.op_type.as_str()) && n.domain.is_empty())
    );
    // Every node input is the graph input, an initializer or an earlier node's output.
    let mut known: Vec<String> = g.initializer.iter().map(|t| t.name.clone()).collect();
    known.push("input".into());
    for n in &g.node {
        for i in &n.input {
            assert!(known.contains(i), "node {} reads undefined {i}", n.name);
        }
        known.extend(n.output.iter().cloned());
    }
    assert_eq!(
        model.encode_to_vec().len(),
        export::to_bytes(&Params::init(1, C3Mode::Full), &meta()).len()
    );
}

fn model_err(bytes: &[u8]) -> String {
    match Model::from_bytes(bytes) {
        Ok(_) => panic!(
            "a bad model was accepted: {} bytes starting {:?}",
            bytes.len(),
            &bytes[..bytes.len().min(8)]
        ),
        Err(Error::Model(m)) => m,
        Err(e) => panic!("wrong error kind: {e}"),
    }
}

#[test]
fn bad_models_are_refused_with_reasons() {
    let good = export::to_bytes(&Params::init(1, C3Mode::Full), &meta());
    assert!(model_err(&[]).contains("empty"));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let random: Vec<u8> = (0..5000).map(|_| rng.random()).collect();
    let _ = model_err(&random);
    let _ = model_err(&vec![0u8; 4096]);
    let _ = model_err(&vec![0u8; good.len()]);
    for cut in [
        1,
        10,
        good.len() / 10,
        good.len() / 3,
        good.len() / 2,
        good.len() * 9 / 10,
        good.len() - 1,
    ] {
        let msg = model_err(&good[..cut]);
        assert!(!msg.is_empty(), "truncated to {cut} bytes");
    }
    let text = model_err(b"this is not an onnx file at all, it is a text file that someone dropped");
    assert!(!text.is_empty());

    // Valid ONNX, wrong contract.
    let mut m = export::to_model(&Params::init(1, C3Mode::Full), &meta());
    m.graph.as_mut().unwrap().input[0].name = "image".into();
    let msg = model_err(&m.encode_to_vec());
    assert!(msg.contains("input"), "{msg}");

    let mut m = export::to_model(&Params::init(1, C3Mode::Full), &meta());
    m.graph.as_mut().unwrap().output[0].name = "logits".into();
    let msg = model_err(&m.encode_to_vec());
    assert!(msg.contains("probabilities"), "{msg}");

    let mut m = export::to_model(&Params::init(1, C3Mode::Full), &meta());
    use lenet5_pb::*;
    set_input_dims(&mut m, &[1, 1, 28, 28]);
    let msg = model_err(&m.encode_to_vec());
    assert!(msg.contains("input shape"), "{msg}");

    let mut m = export::to_model(&Params::init(1, C3Mode::Full), &meta());
    set_output_dims(&mut m, &[1, 5]);
    let msg = model_err(&m.encode_to_vec());
    assert!(msg.contains("output shape"), "{msg}");

    // NaN or infinite weights are refused up front.
    let mut p = Params::init(1, C3Mode::Full);
    p.data[10] = f32::NAN;
    let msg = model_err(&export::to_bytes(&p, &meta()));
    assert!(msg.contains("NaN"), "{msg}");
    let mut p = Params::init(1, C3Mode::Full);
    let last = p.data.len() - 1;
    p.data[last] = f32::INFINITY;
    let msg = model_err(&export::to_bytes(&p, &meta()));
    assert!(msg.contains("infinite"), "{msg}");
}

#[test]
fn flipped_bytes_fail_cleanly_or_keep_the_contract() {
    let good = export::to_bytes(&Params::init(4, C3Mode::Full), &meta());
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut refused, mut loaded) = (0, 0);
    for _ in 0..40 {
        let mut bad = good.clone();
        for _ in 0..3 {
            let i = rng.random_range(0..bad.len());
            bad[i] ^= 1 << rng.random_range(0..8);
        }
        match Model::from_bytes(&bad) {
            Ok(mut m) => {
                loaded += 1;
                let p = m.predict(&[0.5; INPUT_LEN]).expect("a loaded model runs");
                assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-3);
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    eprintln!("flipped-byte models: {loaded} still honour the contract, {refused} refused");
}

mod lenet5_pb {
    use lenet5::onnx::pb;
    pub fn set_input_dims(m: &mut pb::ModelProto, dims: &[i64]) {
        set_dims(&mut m.graph.as_mut().unwrap().input[0], dims);
    }
    pub fn set_output_dims(m: &mut pb::ModelProto, dims: &[i64]) {
        set_dims(&mut m.graph.as_mut().unwrap().output[0], dims);
    }
    fn set_dims(input: &mut pb::ValueInfoProto, dims: &[i64]) {
        if let Some(pb::type_proto::Value::TensorType(t)) = input.r#type.as_mut().and_then(|t| t.value.as_mut()) {
            let shape = t.shape.as_mut().unwrap();
            for (d, v) in shape.dim.iter_mut().zip(dims) {
                d.value = Some(pb::tensor_shape_proto::dimension::Value::DimValue(*v));
            }
        }
    }
}
