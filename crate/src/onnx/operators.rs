//! The ONNX operators this recognizer accepts: the ones a LeNet-style network is made of.
//! Both loaders take them: the direct plan (LeNet-shaped graphs, the browser's) and, where it
//! is built in (feature `general`), tract's general path.

use super::pb;

/// The operators accepted, in the order the README lists them (its model contract).
pub const SUPPORTED: [&str; 17] = [
    "Conv",
    "MaxPool",
    "AveragePool",
    "Relu",
    "Tanh",
    "Sigmoid",
    "Gemm",
    "MatMul",
    "Add",
    "Mul",
    "Flatten",
    "Reshape",
    "Softmax",
    "Constant",
    "Identity",
    "Dropout",
    "Cast",
];

/// The operators of a graph that this recognizer does not run, each named once.
pub fn unsupported(graph: &pb::GraphProto) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for node in &graph.node {
        let known = (node.domain.is_empty() || node.domain == "ai.onnx") && SUPPORTED.contains(&node.op_type.as_str());
        if !known && !out.contains(&node.op_type) {
            out.push(node.op_type.clone());
        }
    }
    out
}
