//! Trained weights → an ONNX file that honours the browser's contract.
//!
//! Built with prost and the schema in [`crate::onnx::pb`] (tract's own `tract_onnx::pb` would
//! link the inference engine into the learning worker); tests check that tract reads every file
//! it writes, and that [`crate::onnx::Layers`] reads back the weights written.
//!
//! [`Precision::F16`] stores the five weight matrices as float16, each behind a `Cast` to
//! float32 that readers fold away: half the bytes to download, the same float32 arithmetic.
//! [`Precision::I8`] stores them as int8 with one float32 scale per output map or unit (`Cast`
//! then `Mul`, folded the same way; [`crate::onnx::tensor::quantise`]): a quarter of the bytes.
//! [`rounded`] gives the weights such a file holds, so the trainer can be checked against it
//! exactly. Standard opset-13 ops only; nodes are named after the layers so their outputs (C1,
//! C3 maps) can be read by name.

use prost::Message;

use super::net::{self, Params};
use crate::onnx::contract::{CLASSES, INPUT_NAME, INPUT_SIDE, IR_VERSION, OPSET, OUTPUT_NAME};
use crate::onnx::pb;
use crate::onnx::tensor::{self, dequantise, quantise};

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

/// How the weight matrices are stored (biases are always float32: 0.4% of the values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    F32,
    F16,
    /// Symmetric int8, one scale per output map (conv) or unit (dense): `w ≈ q · scale`,
    /// `q` in -127..=127, `scale = max |w| / 127` over that map's or unit's weights.
    #[default]
    I8,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "float32",
            Precision::F16 => "float16",
            Precision::I8 => "int8",
        }
    }
}

/// The input a layer's weights reach it by: the initializer itself, or its float32 form.
fn weight_input(name: &str, precision: Precision) -> String {
    match precision {
        Precision::F32 => format!("{name}.weight"),
        Precision::F16 | Precision::I8 => format!("{name}.weight_f32"),
    }
}

fn conv(name: &str, input: &str, precision: Precision) -> pb::NodeProto {
    let (w, b) = (weight_input(name, precision), format!("{name}.bias"));
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

fn gemm(name: &str, input: &str, output: &str, precision: Precision) -> pb::NodeProto {
    let (w, b) = (weight_input(name, precision), format!("{name}.bias"));
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

/// The weight matrices (not the biases) rounded as a `precision` file stores them.
pub fn rounded(params: &Params, precision: Precision) -> Params {
    let mut out = params.clone();
    for t in net::tensors().iter().filter(|t| t.name.ends_with(".weight")) {
        let w = &mut out.data[t.offset..][..t.len];
        match precision {
            Precision::F32 => {}
            Precision::F16 => w.iter_mut().for_each(|v| *v = tensor::round_f16(*v)),
            Precision::I8 => {
                let (q, scales) = quantise(w, t.shape[0]);
                w.copy_from_slice(&dequantise(&q, &scales));
            }
        }
    }
    out
}

/// The ONNX model of `params` with float32 weights, with `metadata` as metadata props.
pub fn to_model(params: &Params, metadata: &[(String, String)]) -> pb::ModelProto {
    to_model_as(params, metadata, Precision::F32)
}

/// The ONNX model of `params`, weight matrices stored at `precision`.
pub fn to_model_as(params: &Params, metadata: &[(String, String)], precision: Precision) -> pb::ModelProto {
    let mut initializer = Vec::new();
    for (t, values) in params.named() {
        let weight = t.name.ends_with(".weight");
        match precision {
            Precision::F16 if weight => initializer.push(tensor::float16(t.name, t.shape, values)),
            Precision::I8 if weight => {
                let (q, scales) = quantise(values, t.shape[0]);
                // One scale per output map or unit, shaped to broadcast over the rest.
                let mut scale_dims = vec![1; t.shape.len()];
                scale_dims[0] = t.shape[0];
                initializer.push(tensor::int8(t.name, t.shape, &q));
                initializer.push(tensor::float32(format!("{}_scale", t.name), &scale_dims, &scales));
            }
            _ => initializer.push(tensor::float32(t.name, t.shape, values)),
        }
    }
    let mut nodes = Vec::new();
    for layer in ["c1", "c3", "c5", "f6", "output"] {
        let (w, out) = (format!("{layer}.weight"), weight_input(layer, precision));
        let cast = format!("{layer}.weight_cast");
        // `to` = 1: FLOAT.
        match precision {
            Precision::F32 => {}
            Precision::F16 => nodes.push(node(&cast, "Cast", &[&w], &out, vec![attr_int("to", 1)])),
            Precision::I8 => {
                let (q, scale) = (format!("{w}_q"), format!("{w}_scale"));
                nodes.push(node(&cast, "Cast", &[&w], &q, vec![attr_int("to", 1)]));
                nodes.push(node(
                    &format!("{layer}.weight_dequantise"),
                    "Mul",
                    &[&q, &scale],
                    &out,
                    vec![],
                ));
            }
        }
    }
    nodes.extend([
        conv("c1", INPUT_NAME, precision),
        relu("c1"),
        pool("s2", "c1_relu"),
        conv("c3", "s2", precision),
        relu("c3"),
        pool("s4", "c3_relu"),
        conv("c5", "s4", precision),
        relu("c5"),
        node("flatten", "Flatten", &["c5_relu"], "flatten", vec![attr_int("axis", 1)]),
        gemm("f6", "flatten", "f6", precision),
        relu("f6"),
        gemm("output", "f6_relu", "logits", precision),
        node(
            "softmax",
            "Softmax",
            &["logits"],
            OUTPUT_NAME,
            vec![attr_int("axis", 1)],
        ),
    ]);
    let graph = pb::GraphProto {
        name: "lenet5".into(),
        node: nodes,
        initializer,
        input: vec![float_value(
            INPUT_NAME,
            &[None, Some(1), Some(INPUT_SIDE as i64), Some(INPUT_SIDE as i64)],
        )],
        output: vec![float_value(OUTPUT_NAME, &[None, Some(CLASSES as i64)])],
        doc_string: format!(
            "LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling; C3 connections: {}; weights {}. \
             Input: 32x32, 0 = background, 1 = ink, an MNIST digit centred with 2 px of padding.",
            params.c3.name(),
            precision.name()
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

/// The ONNX file's bytes, float32 weights.
pub fn to_bytes(params: &Params, metadata: &[(String, String)]) -> Vec<u8> {
    to_model(params, metadata).encode_to_vec()
}

/// The ONNX file's bytes, weight matrices stored at `precision`.
pub fn to_bytes_as(params: &Params, metadata: &[(String, String)], precision: Precision) -> Vec<u8> {
    to_model_as(params, metadata, precision).encode_to_vec()
}
