//! The direct plan: a model's layers ([`crate::onnx::Layers`]) straight into a runnable tract
//! graph of our ops ([`super::ops`]), for the browser: no tract-hir analysis, no optimiser, so
//! the page's module has none of their code to download and compile.
//!
//! `Conv` and dense layers become [`DirectConv`], a ReLU that is a layer's one reader is folded
//! into it, 2x2 pools become [`MaxPool2x2`]/[`AvgPool2x2`], `Relu` and `Softmax` our small ops,
//! `Tanh` and `Sigmoid` tract's element-wise ops (its SIMD kernels), and a flattening read only
//! by a dense layer is left to it (the dense layer reads its input's values in order). Results
//! match tract's general path to float rounding (`tests/direct_load.rs`, on every fixture digit).

use std::collections::HashMap;

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_core::ops::change_axes::AxisOp;

use super::ops::{AvgPool2x2, DirectConv, Geometry, MaxPool2x2, Relu, Softmax};
use crate::onnx::contract::{INPUT_NAME, INPUT_SIDE, OUTPUT_NAME};
use crate::onnx::layers::{self, Activation, Layers, Op, Pool};

/// The typed graph, ready to plan, and where each ONNX value ended up.
#[derive(Debug, Clone)]
pub struct Built {
    /// Its one output is the model's `probabilities`.
    pub model: TypedModel,
    /// The outlet of every computed ONNX value (for the feature maps).
    pub outlets: HashMap<String, OutletId>,
}

/// A value of the graph: a wire with its shape, or a reshape to `[1, K]` not wired yet, left
/// to the dense layer that reads it (any other reader wires it first).
#[derive(Debug, Clone)]
enum Value {
    Wire {
        outlet: OutletId,
        shape: Vec<usize>,
    },
    Flat {
        outlet: OutletId,
        from: Vec<usize>,
        shape: Vec<usize>,
        name: String,
    },
}

impl Value {
    /// The value as a wire, a pending reshape wired.
    fn wired(self, model: &mut TypedModel) -> TractResult<(OutletId, Vec<usize>)> {
        match self {
            Value::Wire { outlet, shape } => Ok((outlet, shape)),
            Value::Flat {
                outlet,
                from,
                shape,
                name,
            } => {
                let from: TVec<TDim> = from.iter().map(|&d| d.into()).collect();
                let into: TVec<TDim> = shape.iter().map(|&d| d.into()).collect();
                let outlet = model.wire_node(name, AxisOp::Reshape(0, from, into), &[outlet])?[0];
                Ok((outlet, shape))
            }
        }
    }
}

/// Builds the graph of `layers`.
pub fn build(layers: &Layers) -> TractResult<Built> {
    let mut model = TypedModel::default();
    let mut values: HashMap<&str, Value> = HashMap::new();
    let shape = vec![1, 1, INPUT_SIDE, INPUT_SIDE];
    let input = model.add_source(INPUT_NAME, f32::fact(&shape))?;
    values.insert(INPUT_NAME, Value::Wire { outlet: input, shape });
    // How many layers (or the graph's output) read each value: a ReLU folds into the layer
    // before it, and a reshape is left to a dense layer, only when that is its one reader.
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for name in layers.layers.iter().map(|l| l.input.as_str()).chain([OUTPUT_NAME]) {
        *uses.entry(name).or_default() += 1;
    }
    let mut outlets = HashMap::new();
    for layer in &layers.layers {
        let value = values
            .get(layer.input.as_str())
            .cloned()
            .with_context(|| format!("`{}` is not computed", layer.input))?;
        let value =
            wire(&mut model, layer, value, &uses, &mut outlets).with_context(|| format!("layer `{}`", layer.name))?;
        if let Value::Wire { outlet, .. } = value {
            outlets.insert(layer.output.clone(), outlet);
        }
        values.insert(&layer.output, value);
    }
    let (outlet, _) = values
        .remove(OUTPUT_NAME)
        .context("the output is not computed from the input")?
        .wired(&mut model)?;
    model.select_output_outlets(&[outlet])?;
    Ok(Built { model, outlets })
}

/// Wires one layer reading `value`.
fn wire(
    model: &mut TypedModel,
    layer: &layers::Layer,
    value: Value,
    uses: &HashMap<&str, usize>,
    outlets: &mut HashMap<String, OutletId>,
) -> TractResult<Value> {
    let name = layer.name.as_str();
    let shape = layer.shape.clone();
    if let (Op::Dense(dense), Value::Flat { outlet, .. }) = (&layer.op, &value) {
        let op = DirectConv::dense(dense.inputs, dense.units, &dense.weights, &dense.bias)?;
        let outlet = model.wire_node(name, op, &[*outlet])?[0];
        return Ok(Value::Wire { outlet, shape });
    }
    let (x, _) = value.wired(model)?;
    let sole_reader = uses.get(layer.input.as_str()) == Some(&1);
    let outlet = match &layer.op {
        Op::Identity => x,
        Op::Activation(Activation::Relu) if sole_reader && fold_relu(model, x) => {
            outlets.remove(layer.input.as_str());
            x
        }
        Op::Activation(a) => match a {
            Activation::Relu => model.wire_node(name, Relu, &[x])?[0],
            Activation::Tanh => model.wire_node(name, tract_onnx::tract_hir::tract_core::ops::math::tanh(), &[x])?[0],
            Activation::Sigmoid => {
                model.wire_node(name, tract_onnx::tract_hir::tract_core::ops::nn::sigmoid(), &[x])?[0]
            }
        },
        Op::Conv(conv) => {
            let geometry = Geometry {
                input: conv.input,
                pads: conv.pads,
                kernel: conv.kernel,
                maps: conv.maps,
            };
            model.wire_node(name, DirectConv::new(geometry, &conv.weights, &conv.bias)?, &[x])?[0]
        }
        Op::Dense(dense) => {
            let op = DirectConv::dense(dense.inputs, dense.units, &dense.weights, &dense.bias)?;
            model.wire_node(name, op, &[x])?[0]
        }
        Op::Pool(Pool::Max) => model.wire_node(name, MaxPool2x2, &[x])?[0],
        Op::Pool(Pool::Average) => model.wire_node(name, AvgPool2x2, &[x])?[0],
        Op::Softmax => model.wire_node(name, Softmax, &[x])?[0],
        Op::Reshape { from } => {
            let flat = Value::Flat {
                outlet: x,
                from: from.clone(),
                shape: shape.clone(),
                name: name.to_string(),
            };
            let to_dense = uses.get(layer.output.as_str()) == Some(&1) && shape.len() == 2 && shape[0] == 1;
            return if to_dense {
                Ok(flat)
            } else {
                let (outlet, shape) = flat.wired(model)?;
                Ok(Value::Wire { outlet, shape })
            };
        }
    };
    Ok(Value::Wire { outlet, shape })
}

/// Folds a ReLU into the [`DirectConv`] that computes `outlet`, if one does.
fn fold_relu(model: &mut TypedModel, outlet: OutletId) -> bool {
    let node = model.node_mut(outlet.node);
    let Some(conv) = node.op_as::<DirectConv>().filter(|c| !c.has_relu()) else {
        return false;
    };
    node.op = Box::new(conv.clone().with_relu());
    true
}
