//! ONNX bytes → a model that honours the contract, checked before any engine sees it, so a
//! user who drops the wrong file gets a message about the contract, not about an engine.
//! Every loader and the fine-tuner read models through [`read`].

use std::collections::HashSet;

use super::contract::{CLASSES, INPUT_NAME, OUTPUT_NAME};
use super::operators;
use super::pb;
use super::tensor;
use crate::error::Error;

/// Decodes `bytes` and checks the contract: one input `input` [N,1,32,32], one output
/// `probabilities` [N,10] that a node computes, nodes in topological order, only the accepted
/// operators, no string tensors, finite float weights.
pub fn read(bytes: &[u8]) -> Result<pb::ModelProto, Error> {
    let proto = decode(bytes)?;
    let graph = proto
        .graph
        .as_ref()
        .ok_or_else(|| Error::Model("the ONNX file has no graph".into()))?;
    check_declared_io(graph)?;
    check_order(graph)?;
    check_weights(graph)?;
    let unknown = operators::unsupported(graph);
    if !unknown.is_empty() {
        return Err(Error::Model(format!(
            "the model uses operators this recognizer does not run: {} (it runs {})",
            unknown.join(", "),
            operators::SUPPORTED.join(", ")
        )));
    }
    Ok(proto)
}

/// Decodes `bytes` as an ONNX model, without checking it.
pub fn decode(bytes: &[u8]) -> Result<pb::ModelProto, Error> {
    if bytes.is_empty() {
        return Err(Error::Model("the model file is empty: it has no graph".into()));
    }
    <pb::ModelProto as prost::Message>::decode(bytes)
        .map_err(|e| Error::Model(format!("not a readable ONNX file ({e})")))
}

/// The metadata props of a model (accuracy, seed, …), for display.
pub fn metadata(proto: &pb::ModelProto) -> Vec<(String, String)> {
    proto
        .metadata_props
        .iter()
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect()
}

/// The default-domain opset the model was written for (1 if it says none).
pub fn opset(proto: &pb::ModelProto) -> i64 {
    proto
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map_or(1, |o| o.version)
}

/// The ONNX value names of the first two convolutions' activations (C1 and C3 in LeNet-5).
///
/// Our exporter names them `c1_relu` and `c3_relu`; for other models, the output of the first two
/// `Conv` nodes, taken after an element-wise activation that directly follows (ONNX lists nodes
/// in topological order). `None` if the graph has fewer than two convolutions.
pub fn feature_map_names(graph: &pb::GraphProto) -> Option<[String; 2]> {
    let named = |n: &str| graph.node.iter().find(|node| node.name == n)?.output.first().cloned();
    if let (Some(c1), Some(c3)) = (named("c1_relu"), named("c3_relu")) {
        return Some([c1, c3]);
    }
    const ACTIVATIONS: [&str; 5] = ["Relu", "Tanh", "Sigmoid", "LeakyRelu", "Clip"];
    let mut convs = graph.node.iter().filter(|n| n.op_type == "Conv").filter_map(|conv| {
        let out = conv.output.first()?;
        let users: Vec<_> = graph.node.iter().filter(|n| n.input.iter().any(|i| i == out)).collect();
        match users.as_slice() {
            [act] if ACTIVATIONS.contains(&act.op_type.as_str()) => act.output.first().cloned(),
            _ => Some(out.clone()),
        }
    });
    Some([convs.next()?, convs.next()?])
}

/// Checks the declared graph inputs/outputs by name and rank.
fn check_declared_io(graph: &pb::GraphProto) -> Result<(), Error> {
    let initializers: HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let inputs: Vec<&pb::ValueInfoProto> = graph
        .input
        .iter()
        .filter(|i| !initializers.contains(i.name.as_str()))
        .collect();
    let [input] = inputs.as_slice() else {
        return Err(Error::Model(format!(
            "the model must have exactly one input named `{INPUT_NAME}`, it has {}",
            inputs.len()
        )));
    };
    if input.name != INPUT_NAME {
        return Err(Error::Model(format!(
            "the model's input is named `{}`, expected `{INPUT_NAME}` [N,1,32,32]",
            input.name
        )));
    }
    if let Some(dims) = declared_dims(input) {
        let ok = dims.len() == 4 && dims[1..].iter().zip([1, 32, 32]).all(|(d, e)| d.is_none_or(|d| d == e));
        if !ok {
            return Err(Error::Model(format!(
                "wrong input shape {}: expected [N,1,32,32]",
                show_dims(&dims)
            )));
        }
    }
    let Some(output) = graph.output.first() else {
        return Err(Error::Model("the model declares no output".into()));
    };
    if graph.output.len() != 1 || output.name != OUTPUT_NAME {
        return Err(Error::Model(format!(
            "the model must have one output named `{OUTPUT_NAME}` [N,10], it has {:?}",
            graph.output.iter().map(|o| o.name.as_str()).collect::<Vec<_>>()
        )));
    }
    // tract's ONNX parser panics on an output that nothing computes (found by fuzzing).
    let computed = graph.node.iter().any(|n| n.output.iter().any(|o| o == OUTPUT_NAME))
        || graph.input.iter().any(|i| i.name == OUTPUT_NAME)
        || graph.initializer.iter().any(|t| t.name == OUTPUT_NAME);
    if !computed {
        return Err(Error::Model(format!(
            "no node of the model computes its output `{OUTPUT_NAME}`"
        )));
    }
    if let Some(dims) = declared_dims(output) {
        let ok = dims.len() == 2 && dims[1].is_none_or(|d| d == CLASSES as i64);
        if !ok {
            return Err(Error::Model(format!(
                "wrong output shape {}: expected [N,10]",
                show_dims(&dims)
            )));
        }
    }
    Ok(())
}

/// ONNX lists nodes in topological order: each input is a graph input, an initializer or an
/// earlier node's output. tract's shape inference panics on a node that feeds itself (found by
/// fuzzing), so refuse any node that reads a value not computed before it.
fn check_order(graph: &pb::GraphProto) -> Result<(), Error> {
    let mut known: HashSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
    known.extend(graph.initializer.iter().map(|t| t.name.as_str()));
    for node in &graph.node {
        if let Some(missing) = node.input.iter().find(|i| !i.is_empty() && !known.contains(i.as_str())) {
            return Err(Error::Model(format!(
                "the node `{}` ({}) reads `{missing}` before any node computes it",
                node.name, node.op_type
            )));
        }
        known.extend(node.output.iter().map(|o| o.as_str()));
    }
    Ok(())
}

/// NaN or infinite weights can hide behind a ReLU on one probe input and surface on another:
/// refuse them up front. tract panics on a string tensor stored as raw bytes (`unimplemented!`;
/// found by fuzzing), and a LeNet has no strings: refuse them all, in initializers and in
/// Constant nodes.
fn check_weights(graph: &pb::GraphProto) -> Result<(), Error> {
    let string = pb::tensor_proto::DataType::String as i32;
    let attributes = graph
        .node
        .iter()
        .flat_map(|n| &n.attribute)
        .flat_map(|a| a.t.iter().chain(&a.tensors));
    if let Some(t) = graph
        .initializer
        .iter()
        .chain(attributes)
        .find(|t| t.data_type == string)
    {
        return Err(Error::Model(format!(
            "the tensor `{}` holds strings, not numbers",
            t.name
        )));
    }
    if let Some(t) = graph.initializer.iter().find(|t| tensor::has_non_finite(t)) {
        return Err(Error::Model(format!(
            "the weights `{}` contain NaN or infinite values: the file is corrupt or the training diverged",
            t.name
        )));
    }
    Ok(())
}

/// The declared dims of a value (`None` per symbolic dim), or `None` if no shape is declared.
fn declared_dims(value: &pb::ValueInfoProto) -> Option<Vec<Option<i64>>> {
    use pb::{tensor_shape_proto::dimension::Value, type_proto::Value as TypeValue};
    let TypeValue::TensorType(t) = value.r#type.as_ref()?.value.as_ref()?;
    let shape = t.shape.as_ref()?;
    Some(
        shape
            .dim
            .iter()
            .map(|d| match d.value {
                Some(Value::DimValue(v)) => Some(v),
                _ => None,
            })
            .collect(),
    )
}

fn show_dims(dims: &[Option<i64>]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.map_or("N".into(), |v| v.to_string())).collect();
    format!("[{}]", parts.join(","))
}
