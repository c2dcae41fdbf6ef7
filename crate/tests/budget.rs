//! Models that ask for absurd work or memory are refused from their shapes, before anything is
//! planned or run, with a message naming the layer; on every path (the direct plan, tract's
//! general path, the fine-tuner). LeNet-5 itself is far inside the limits.

mod common;

use lenet5::onnx::budget::{LENET5_MACS, MAX_MACS};
use lenet5::onnx::pb::{self, attribute_proto::AttributeType, tensor_proto::DataType};
use lenet5::onnx::{Layers, read};
use lenet5::{Error, Model};
use prost::Message;

fn ints(name: &str, v: &[i64]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::Ints as i32,
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn int(name: &str, v: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::Int as i32,
        i: v,
        ..Default::default()
    }
}

fn floats(name: &str, dims: &[i64], value: f32) -> pb::TensorProto {
    let n: i64 = dims.iter().product();
    pb::TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: DataType::Float as i32,
        raw_data: (0..n).flat_map(|i| (value + i as f32 * 1e-3).to_le_bytes()).collect(),
        ..Default::default()
    }
}

fn node(name: &str, op: &str, inputs: &[&str], attribute: Vec<pb::AttributeProto>) -> pb::NodeProto {
    pb::NodeProto {
        name: name.into(),
        op_type: op.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![if op == "Softmax" {
            "probabilities".into()
        } else {
            name.into()
        }],
        attribute,
        ..Default::default()
    }
}

/// A float32 graph input or output, shape not declared.
fn value(name: &str) -> pb::ValueInfoProto {
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type: DataType::Float as i32,
                shape: None,
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// input → Conv (`maps` maps of `kernel`², `pads`) → MaxPool over the whole output → Flatten →
/// Gemm to 10 → Softmax: a contract-abiding model whose cost is all in its convolution.
fn conv_model(maps: i64, kernel: i64, pads: i64, pool: i64) -> Vec<u8> {
    let side = (32 + 2 * pads - kernel + 1).max(1);
    let pooled = ((side - pool) / pool + 1).max(1);
    // (Capped: the absurd cases are refused by their attributes, before any shape is computed.)
    let flat = (maps * pooled * pooled).min(1 << 16);
    let graph = pb::GraphProto {
        name: "hostile".into(),
        node: vec![
            node(
                "big_conv",
                "Conv",
                &["input", "w", "b"],
                vec![ints("kernel_shape", &[kernel, kernel]), ints("pads", &[pads; 4])],
            ),
            node(
                "squash",
                "MaxPool",
                &["big_conv"],
                vec![ints("kernel_shape", &[pool, pool]), ints("strides", &[pool, pool])],
            ),
            node("flat", "Flatten", &["squash"], vec![int("axis", 1)]),
            node("dense", "Gemm", &["flat", "g", "gb"], vec![int("transB", 1)]),
            node("softmax", "Softmax", &["dense"], vec![int("axis", 1)]),
        ],
        initializer: vec![
            floats("w", &[maps, 1, kernel, kernel], 0.01),
            floats("b", &[maps], 0.0),
            floats("g", &[10, flat], 0.01),
            floats("gb", &[10], 0.0),
        ],
        input: vec![value("input")],
        output: vec![value("probabilities")],
        ..Default::default()
    };
    pb::ModelProto {
        ir_version: 7,
        opset_import: vec![pb::OperatorSetIdProto {
            domain: String::new(),
            version: 13,
        }],
        graph: Some(graph),
        ..Default::default()
    }
    .encode_to_vec()
}

fn refused(bytes: &[u8], says: &[&str], what: &str) {
    for (path, result) in [
        ("tract's general path", Model::from_bytes(bytes)),
        ("the direct plan", Model::from_bytes_direct(bytes)),
    ] {
        match result {
            Err(Error::Model(msg)) => {
                for s in says {
                    assert!(msg.contains(s), "{what}, {path}: {msg:?} should say {s:?}");
                }
            }
            Err(other) => panic!("{what}, {path}: the wrong kind of error: {other}"),
            Ok(_) => panic!("{what}, {path}: loaded"),
        }
    }
}

#[test]
fn lenet5_costs_what_the_budget_says() {
    let bytes = std::fs::read(common::repo_root().join("model/lenet5.onnx")).unwrap();
    let layers = Layers::parse(&read::read(&bytes).unwrap()).unwrap();
    let costs = layers.costs();
    let weighted: u64 = costs
        .iter()
        .filter(|c| c.op == "Conv" || c.op == "Dense")
        .map(|c| c.macs)
        .sum();
    assert_eq!(weighted, LENET5_MACS, "{costs:?}");
    let total: u64 = costs.iter().map(|c| c.macs).sum();
    assert!(total * 40 < MAX_MACS, "LeNet-5 uses {total} of {MAX_MACS}");
    Model::from_bytes(&bytes).unwrap();
    Model::from_bytes_direct(&bytes).unwrap();
}

/// A tiny file asking for a 4,030 x 4,030 convolution (2,000 pixels of padding): today's page
/// would spend seconds on it and keep the memory.
#[test]
fn huge_padding_is_refused_by_its_work() {
    let bytes = conv_model(1, 3, 2000, 4030);
    assert!(bytes.len() < 1000, "{} bytes", bytes.len());
    refused(&bytes, &["big_conv", "multiply-adds"], "pads 2000");
}

#[test]
fn absurd_attributes_are_refused_before_any_arithmetic() {
    refused(&conv_model(1, 3, 100_000, 2), &["pads", "at most 4096"], "pads 100000");
    refused(
        &conv_model(1, 5000, 0, 2),
        &["kernel_shape", "at most 4096"],
        "kernel 5000",
    );
}

/// Wide but shallow: 1,100 maps of C1's size is 52 LeNet-5s of work.
#[test]
fn too_much_work_is_refused_naming_the_layer() {
    let bytes = conv_model(1100, 5, 0, 28);
    refused(&bytes, &["big_conv", "multiply-adds", "50 LeNet-5s"], "1100 maps");
    // The same with 300 maps (14 LeNet-5s) loads on both paths.
    let ok = conv_model(300, 5, 0, 28);
    Model::from_bytes(&ok).unwrap();
    Model::from_bytes_direct(&ok).unwrap();
}

/// An activation beyond 64 MB is refused even where the work would pass.
#[test]
fn a_huge_activation_is_refused() {
    // 1x1 convolution, 4,096 pixels of padding: 8,224 x 8,224 values, 67.6M > 16.8M.
    let bytes = conv_model(1, 1, 4096, 4096);
    refused(&bytes, &["big_conv", "64 MB"], "an 8224x8224 activation");
}
