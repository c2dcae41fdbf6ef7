//! The direct plan (`infer/direct.rs`, what the browser uses) against tract's general path
//! (what native builds use): which graphs it takes, and that it reads them the same.

mod common;

use lenet5::onnx::pb;
use lenet5::train::export::{self, Precision};
use lenet5::train::net::{C3Mode, Params};
use lenet5::{Model, onnx::contract::INPUT_LEN};
use prost::Message;

fn meta() -> Vec<(String, String)> {
    vec![("source".into(), "tests/direct_load.rs".into())]
}

/// `count` MNIST test digits from the fixture, as network inputs.
fn digits(count: usize) -> Vec<Vec<f32>> {
    let test = lenet5::train::mnist::load_dir(&common::mini_mnist()).unwrap().test;
    (0..count.min(test.len()))
        .map(|i| {
            let mut input = vec![0f32; INPUT_LEN];
            lenet5::train::augment::place(test.image(i), &mut input);
            input
        })
        .collect()
}

/// Loads `bytes` both ways, checks the direct path took it, and returns the largest
/// difference in probability over `inputs` (and asserts the same digit where `argmax`).
fn compare(bytes: &[u8], inputs: &[Vec<f32>], argmax: bool, what: &str) -> f32 {
    let mut direct = Model::from_bytes_direct(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(direct.general_path_reason(), None, "{what}: not built directly");
    let mut general = Model::from_bytes(bytes).unwrap();
    if !cfg!(target_arch = "wasm32") {
        assert!(
            general.general_path_reason().is_some(),
            "{what}: native builds use tract's path"
        );
    }
    let mut worst = 0f32;
    for (i, input) in inputs.iter().enumerate() {
        let (p, q) = (direct.predict(input).unwrap(), general.predict(input).unwrap());
        if argmax {
            assert_eq!(
                lenet5::train::net::argmax(&p),
                lenet5::train::net::argmax(&q),
                "{what}: digit {i}"
            );
        }
        worst = p.iter().zip(&q).map(|(a, b)| (a - b).abs()).fold(worst, f32::max);
    }
    assert!(worst < 1e-5, "{what}: probabilities differ by up to {worst}");
    worst
}

/// The committed model, on the 500-digit fixture: built directly, same digits, same
/// probabilities to float rounding, same feature maps.
#[test]
fn committed_model_is_built_directly_and_reads_the_same() {
    let bytes = std::fs::read(common::repo_root().join("model/lenet5.onnx")).unwrap();
    let inputs = digits(500);
    let worst = compare(&bytes, &inputs, true, "committed model");
    eprintln!("committed model, {} digits: largest difference {worst:e}", inputs.len());
    let mut direct = Model::from_bytes_direct(&bytes).unwrap();
    let mut general = Model::from_bytes(&bytes).unwrap();
    assert!(direct.has_feature_maps());
    for input in &inputs[..20] {
        let (a, b) = (
            direct.feature_maps(input).unwrap(),
            general.feature_maps(input).unwrap(),
        );
        for (a, b) in a.iter().zip(&b) {
            assert_eq!((a.channels, a.height, a.width), (b.channels, b.height, b.width));
            let d = a
                .data
                .iter()
                .zip(&b.data)
                .map(|(x, y)| (x - y).abs())
                .fold(0f32, f32::max);
            assert!(d < 1e-4, "feature maps differ by {d}");
        }
    }
}

/// The graph the browser runs for the committed model: each layer one op (the weights'
/// Cast and Mul folded at load, ReLUs inside the layers before them, the Flatten left to the
/// dense layer that reads it).
#[test]
fn committed_model_is_one_op_per_layer() {
    let bytes = std::fs::read(common::repo_root().join("model/lenet5.onnx")).unwrap();
    let proto = lenet5::onnx::read::read(&bytes).unwrap();
    let layers = lenet5::onnx::Layers::parse(&proto).unwrap();
    let built = lenet5::infer::direct::build(&layers).unwrap();
    let ops: Vec<String> = built.model.nodes().iter().map(|n| n.op.name().to_string()).collect();
    assert_eq!(
        ops,
        [
            "Source",
            "DirectConv",
            "MaxPool2x2",
            "DirectConv",
            "MaxPool2x2",
            "DirectConv",
            "DirectConv",
            "DirectConv",
            "Softmax"
        ]
    );
    let relus = built
        .model
        .nodes()
        .iter()
        .filter_map(|n| n.op_as::<lenet5::infer::ops::conv::DirectConv>())
        .map(|c| c.has_relu())
        .collect::<Vec<_>>();
    assert_eq!(
        relus,
        [true, true, true, true, false],
        "C1, C3, C5, F6 with their ReLU; the output layer without"
    );
}

/// What our exporter writes, at every precision and with either C3 table.
#[test]
fn exported_models_are_built_directly() {
    let inputs = digits(60);
    for c3 in [C3Mode::Full, C3Mode::Paper] {
        for precision in [Precision::F32, Precision::F16, Precision::I8] {
            let bytes = export::to_bytes_as(&Params::init(7, c3), &meta(), precision);
            compare(&bytes, &inputs, false, &format!("{c3:?} {}", precision.name()));
        }
    }
}

fn graph(m: &mut pb::ModelProto) -> &mut pb::GraphProto {
    m.graph.as_mut().unwrap()
}

fn node_mut<'a>(m: &'a mut pb::ModelProto, name: &str) -> &'a mut pb::NodeProto {
    graph(m).node.iter_mut().find(|n| n.name == name).unwrap()
}

fn ints(name: &str, v: &[i64]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Ints as i32,
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn float_attr(name: &str, v: f32) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Float as i32,
        f: v,
        ..Default::default()
    }
}

/// Transposes a float32 matrix initializer in place.
fn transpose(m: &mut pb::ModelProto, name: &str) {
    let t = graph(m).initializer.iter_mut().find(|t| t.name == name).unwrap();
    let (r, c) = (t.dims[0] as usize, t.dims[1] as usize);
    let v: Vec<f32> = t
        .raw_data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    t.raw_data = (0..r * c).flat_map(|i| v[(i % r) * c + i / r].to_le_bytes()).collect();
    t.dims = vec![c as i64, r as i64];
}

/// The layer variants other LeNet-5s are made of (the paper's average subsampling and tanh,
/// sigmoid, a Reshape instead of Flatten, `transB` = 0, `alpha`/`beta`, pass-through nodes):
/// each built directly and read as tract reads it.
#[test]
fn layer_variants_are_built_directly() {
    let inputs = digits(40);
    let base = || export::to_model_as(&Params::init(3, C3Mode::Paper), &meta(), Precision::F32);
    type Edit = fn(&mut pb::ModelProto);
    let variants: [(&str, Edit); 8] = [
        ("AveragePool", |m| {
            node_mut(m, "s2").op_type = "AveragePool".into();
            node_mut(m, "s4").op_type = "AveragePool".into();
        }),
        ("Tanh", |m| {
            for n in ["c1_relu", "c3_relu", "c5_relu", "f6_relu"] {
                node_mut(m, n).op_type = "Tanh".into();
            }
        }),
        ("Sigmoid", |m| node_mut(m, "c3_relu").op_type = "Sigmoid".into()),
        ("Reshape", |m| {
            let shape = pb::TensorProto {
                name: "flat_shape".into(),
                dims: vec![2],
                data_type: pb::tensor_proto::DataType::Int64 as i32,
                int64_data: vec![0, -1],
                ..Default::default()
            };
            graph(m).initializer.push(shape);
            let flatten = node_mut(m, "flatten");
            flatten.op_type = "Reshape".into();
            flatten.input.push("flat_shape".into());
            flatten.attribute.clear();
        }),
        ("a ReLU after Flatten (the reshape is wired then)", |m| {
            let nodes = &mut graph(m).node;
            let at = nodes.iter().position(|n| n.name == "flatten").unwrap();
            nodes[at].output = vec!["flat_pre".into()];
            let relu = pb::NodeProto {
                name: "flat_relu".into(),
                op_type: "Relu".into(),
                input: vec!["flat_pre".into()],
                output: vec!["flatten".into()],
                ..Default::default()
            };
            nodes.insert(at + 1, relu);
        }),
        ("transB 0", |m| {
            transpose(m, "f6.weight");
            node_mut(m, "f6").attribute.clear();
        }),
        ("alpha beta", |m| {
            let out = node_mut(m, "output");
            out.attribute.push(float_attr("alpha", 0.5));
            out.attribute.push(float_attr("beta", 2.0));
        }),
        ("Identity, Dropout", |m| {
            node_mut(m, "c1_relu").op_type = "Identity".into();
            node_mut(m, "c3_relu").op_type = "Dropout".into();
            node_mut(m, "s4").attribute.push(ints("pads", &[0, 0, 0, 0]));
        }),
    ];
    for (what, edit) in variants {
        let mut m = base();
        edit(&mut m);
        compare(&m.encode_to_vec(), &inputs, false, what);
    }
}

/// A graph the direct path does not take is loaded by tract's path, which says why, and
/// reads the same as before.
#[test]
fn other_graphs_go_to_tracts_path() {
    let input = &digits(1)[0];
    let mut m = export::to_model_as(&Params::init(5, C3Mode::Full), &meta(), Precision::F32);
    // F6 as MatMul + Add, as some exporters write a dense layer.
    transpose(&mut m, "f6.weight");
    let f6 = node_mut(&mut m, "f6");
    f6.op_type = "MatMul".into();
    f6.input.truncate(2);
    f6.output = vec!["f6_mm".into()];
    f6.attribute.clear();
    graph(&mut m).node.push(pb::NodeProto {
        name: "f6_bias".into(),
        op_type: "Add".into(),
        input: vec!["f6_mm".into(), "f6.bias".into()],
        output: vec!["f6".into()],
        ..Default::default()
    });
    // ONNX lists nodes in order: move the Add right after the MatMul.
    let nodes = &mut graph(&mut m).node;
    let add = nodes.pop().unwrap();
    let at = nodes.iter().position(|n| n.name == "f6").unwrap() + 1;
    nodes.insert(at, add);
    let bytes = m.encode_to_vec();
    let mut direct = Model::from_bytes_direct(&bytes).unwrap();
    let why = direct
        .general_path_reason()
        .expect("MatMul is not taken directly")
        .to_string();
    assert!(why.contains("MatMul"), "{why}");
    let p = direct.predict(input).unwrap();
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
}
