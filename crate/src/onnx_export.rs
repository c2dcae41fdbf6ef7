//! Trained weights → an ONNX file that honours the browser's contract.
//!
//! Built with prost and the schema subset in [`crate::onnx_pb`] (tract's own `tract_onnx::pb`
//! would link the inference engine into the learning worker); tests check that tract reads
//! every file it writes.
//! Standard opset-13 ops only; nodes are named after the layers so their outputs (C1, C3 maps)
//! can be read by name.

/// The ONNX protobuf types the exporter writes, for callers that build or edit models.
pub use crate::onnx_pb as pb;
use prost::Message;

use crate::net::Params;

/// The opset we target: the first with today's Softmax semantics over one axis.
pub const OPSET: i64 = 13;
/// IR version matching opset 13 (ONNX 1.8).
pub const IR_VERSION: i64 = 7;

fn attr_ints(name: &str, v: &[i64]) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Ints as i32,
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn attr_int(name: &str, v: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: v,
        ..Default::default()
    }
}

fn node(name: &str, op: &str, inputs: &[&str], output: &str, attribute: Vec<pb::AttributeProto>) -> pb::NodeProto {
    pb::NodeProto {
        name: name.into(),
        op_type: op.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute,
        ..Default::default()
    }
}

fn conv(name: &str, input: &str) -> pb::NodeProto {
    let (w, b) = (format!("{name}.weight"), format!("{name}.bias"));
    node(
        name,
        "Conv",
        &[input, &w, &b],
        name,
        vec![
            attr_ints("kernel_shape", &[5, 5]),
            attr_ints("strides", &[1, 1]),
            attr_ints("pads", &[0, 0, 0, 0]),
        ],
    )
}

fn relu(layer: &str) -> pb::NodeProto {
    let out = format!("{layer}_relu");
    node(&out, "Relu", &[layer], &out, vec![])
}

fn pool(name: &str, input: &str) -> pb::NodeProto {
    node(
        name,
        "MaxPool",
        &[input],
        name,
        vec![attr_ints("kernel_shape", &[2, 2]), attr_ints("strides", &[2, 2])],
    )
}

fn gemm(name: &str, input: &str, output: &str) -> pb::NodeProto {
    let (w, b) = (format!("{name}.weight"), format!("{name}.bias"));
    node(name, "Gemm", &[input, &w, &b], output, vec![attr_int("transB", 1)])
}

fn float_value(name: &str, dims: &[Option<i64>]) -> pb::ValueInfoProto {
    use pb::tensor_shape_proto::{Dimension, dimension::Value};
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Some(v) => Value::DimValue(*v),
                None => Value::DimParam("N".into()),
            }),
            ..Default::default()
        })
        .collect();
    pb::ValueInfoProto {
        name: name.into(),
        r#type: Some(pb::TypeProto {
            value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                elem_type: pb::tensor_proto::DataType::Float as i32,
                shape: Some(pb::TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The ONNX model of `params`, with `metadata` as metadata props.
pub fn to_model(params: &Params, metadata: &[(String, String)]) -> pb::ModelProto {
    let initializer = params
        .named()
        .into_iter()
        .map(|(t, values)| pb::TensorProto {
            name: t.name.into(),
            dims: t.shape.iter().map(|&d| d as i64).collect(),
            data_type: pb::tensor_proto::DataType::Float as i32,
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        })
        .collect();
    let nodes = vec![
        conv("c1", "input"),
        relu("c1"),
        pool("s2", "c1_relu"),
        conv("c3", "s2"),
        relu("c3"),
        pool("s4", "c3_relu"),
        conv("c5", "s4"),
        relu("c5"),
        node("flatten", "Flatten", &["c5_relu"], "flatten", vec![attr_int("axis", 1)]),
        gemm("f6", "flatten", "f6"),
        relu("f6"),
        gemm("output", "f6_relu", "logits"),
        node(
            "softmax",
            "Softmax",
            &["logits"],
            "probabilities",
            vec![attr_int("axis", 1)],
        ),
    ];
    let graph = pb::GraphProto {
        name: "lenet5".into(),
        node: nodes,
        initializer,
        input: vec![float_value("input", &[None, Some(1), Some(32), Some(32)])],
        output: vec![float_value("probabilities", &[None, Some(10)])],
        doc_string: format!(
            "LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling; C3 connections: {}. \
             Input: 32x32, 0 = background, 1 = ink, an MNIST digit centred with 2 px of padding.",
            params.c3.name()
        ),
        ..Default::default()
    };
    pb::ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![pb::OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        producer_name: "lenet5".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        model_version: 1,
        graph: Some(graph),
        metadata_props: metadata
            .iter()
            .map(|(k, v)| pb::StringStringEntryProto {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
        ..Default::default()
    }
}

/// The ONNX file's bytes.
pub fn to_bytes(params: &Params, metadata: &[(String, String)]) -> Vec<u8> {
    to_model(params, metadata).encode_to_vec()
}
