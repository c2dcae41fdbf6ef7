//! A LeNet-style ONNX graph straight into a runnable tract graph of final ops, for the
//! browser: no tract-hir analysis, no optimiser.
//!
//! On a cold page, `new Recognizer(model)` spent ~105 ms in code V8 compiles on first call:
//! tract-hir's shape analysis, translation to the typed graph, `declutter` and `codegen`
//! (`scripts/profile-load.sh`), all to arrive at a graph our own ops already compute
//! ([`DirectConv`], [`MaxPool2x2`]). This module builds that graph directly, layer by layer,
//! with concrete shapes for one 32x32 digit: constants (int8/float16 weights and their scales)
//! are folded here, `Conv` and `Gemm` become [`DirectConv`] (a dense layer is a 1x1
//! convolution), 2x2 pools [`MaxPool2x2`]/[`AvgPool2x2`], `Relu` and `Softmax` small ops below,
//! `Tanh` and `Sigmoid` tract's element-wise ops (its SIMD kernels).
//!
//! It takes only what it computes exactly: [`build`] says in words why it cannot take a graph,
//! and the model is then loaded by tract's general path (`model.rs`), as before. Its results
//! match tract's to float rounding (`tests/direct_load.rs`, on every fixture digit).

use std::collections::HashMap;

use tract_onnx::pb::{self, tensor_proto::DataType};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::tract_core::ops::change_axes::AxisOp;

use crate::direct_conv::{DirectConv, Geometry};
use crate::fast_pool::{AvgPool2x2, MaxPool2x2};
use crate::model::{INPUT_NAME, INPUT_SIDE};

/// Largest constant taken, in values (as in [`DirectConv`]): sizes come from the file.
const MAX_VALUES: usize = 1 << 24;

/// The typed graph, ready to plan, and where each ONNX value ended up.
#[derive(Debug, Clone)]
pub struct Built {
    /// Its one output is the model's `probabilities`.
    pub model: TypedModel,
    /// The outlet of every computed ONNX value (for the feature maps).
    pub outlets: HashMap<String, OutletId>,
}

/// A value while building: a constant folded here, or a wire of the graph with its shape.
#[derive(Debug, Clone)]
enum Value {
    Const {
        data_type: i32,
        shape: Vec<usize>,
        values: Vec<f32>,
    },
    Wire {
        outlet: OutletId,
        shape: Vec<usize>,
    },
    /// A `Flatten` (or `Reshape`) of `outlet` from `from` to `[1, K]`, not wired yet: a dense
    /// layer, its one reader in a LeNet, reads it as it is (saves a copy, 1 µs under V8);
    /// any other reader wires the reshape first ([`Value::wired`]).
    Flat {
        outlet: OutletId,
        from: Vec<usize>,
        shape: Vec<usize>,
        name: String,
    },
}

impl Value {
    /// A [`Value::Flat`] as a wire, the reshape wired; any other value as it is.
    fn wired(self, model: &mut TypedModel) -> TractResult<Value> {
        let Value::Flat {
            outlet,
            from,
            shape,
            name,
        } = self
        else {
            return Ok(self);
        };
        let from: TVec<TDim> = from.iter().map(|&d| d.into()).collect();
        let into: TVec<TDim> = shape.iter().map(|&d| d.into()).collect();
        let outlet = model.wire_node(name, AxisOp::Reshape(0, from, into), &[outlet])?[0];
        Ok(Value::Wire { outlet, shape })
    }
}

const FLOAT: i32 = DataType::Float as i32;

/// Builds the graph, or says why it is not one this module takes (then tract's general
/// path loads it). The graph's inputs, outputs and operators were checked by `model.rs`.
pub fn build(proto: &pb::ModelProto) -> Result<Built, String> {
    let graph = proto.graph.as_ref().ok_or("no graph")?;
    let opset = proto
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map_or(1, |o| o.version);
    let mut model = TypedModel::default();
    let mut values: HashMap<&str, Value> = HashMap::new();
    let shape = vec![1, 1, INPUT_SIDE, INPUT_SIDE];
    let input = model
        .add_source(INPUT_NAME, f32::fact(&shape))
        .map_err(|e| e.to_string())?;
    values.insert(INPUT_NAME, Value::Wire { outlet: input, shape });
    for t in &graph.initializer {
        values.insert(&t.name, constant(t)?);
    }
    // How many nodes (or the graph's output) read each value: a ReLU folds into the layer
    // before it only when it is that layer's one reader.
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for name in graph
        .node
        .iter()
        .flat_map(|n| &n.input)
        .chain(graph.output.iter().map(|o| &o.name))
    {
        *uses.entry(name.as_str()).or_default() += 1;
    }
    let mut outlets = HashMap::new();
    for node in &graph.node {
        let outputs: Vec<&str> = node
            .output
            .iter()
            .map(String::as_str)
            .filter(|o| !o.is_empty())
            .collect();
        let [output] = outputs[..] else {
            return Err(format!(
                "{} `{}` has {} outputs",
                node.op_type,
                node.name,
                outputs.len()
            ));
        };
        let mut inputs = node
            .input
            .iter()
            .filter(|i| !i.is_empty())
            .map(|i| {
                values
                    .get(i.as_str())
                    .cloned()
                    .ok_or_else(|| format!("`{i}` is not computed"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if node.op_type != "Gemm" {
            for v in &mut inputs {
                *v = v.clone().wired(&mut model).map_err(|e| e.to_string())?;
            }
        }
        let sole_reader = node.input.first().is_some_and(|i| uses.get(i.as_str()) == Some(&1));
        if node.op_type == "Relu"
            && sole_reader
            && let [Value::Wire { outlet, .. }] = &inputs[..]
            && fold_relu(&mut model, *outlet)
        {
            outlets.remove(node.input[0].as_str());
            outlets.insert(output.to_string(), *outlet);
            values.insert(output, inputs[0].clone());
            continue;
        }
        let flat_ok = uses.get(output) == Some(&1);
        let value = layer(&mut model, node, &inputs, opset, flat_ok)
            .map_err(|e| format!("{} `{}`: {e}", node.op_type, node.name))?;
        if let Value::Wire { outlet, .. } = value {
            outlets.insert(output.to_string(), outlet);
        }
        values.insert(output, value);
    }
    let output = values.remove(crate::model::OUTPUT_NAME);
    let output = output
        .map(|v| v.wired(&mut model))
        .transpose()
        .map_err(|e| e.to_string())?;
    let Some(Value::Wire { outlet, .. }) = output else {
        return Err("the output is not computed from the input".into());
    };
    model.select_output_outlets(&[outlet]).map_err(|e| e.to_string())?;
    Ok(Built { model, outlets })
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

/// One node: folded if all its inputs are constants, else wired. `flat_ok`: the node's output
/// has one reader, so a flattening may be left to it ([`Value::Flat`]).
fn layer(
    model: &mut TypedModel,
    node: &pb::NodeProto,
    inputs: &[Value],
    opset: i64,
    flat_ok: bool,
) -> TractResult<Value> {
    let op = node.op_type.as_str();
    let name = node.name.as_str();
    let one = || -> TractResult<&Value> {
        match inputs {
            [x] => Ok(x),
            _ => bail!("takes one input, has {}", inputs.len()),
        }
    };
    Ok(match op {
        "Identity" | "Dropout" => one()?.clone(),
        "Constant" => constant_node(node)?,
        "Cast" => {
            let to: i64 = node.get_attr("to")?;
            ensure!(to == FLOAT as i64, "casts to type {to}, not float32");
            match one()?.clone() {
                Value::Const { shape, values, .. } => Value::Const {
                    data_type: FLOAT,
                    shape,
                    values,
                },
                wire => wire, // the only wire is float32 (the input and everything computed from it)
            }
        }
        "Mul" | "Add" => {
            let [
                Value::Const {
                    data_type: a,
                    shape: sa,
                    values: va,
                },
                Value::Const {
                    data_type: b,
                    shape: sb,
                    values: vb,
                },
            ] = inputs
            else {
                bail!("only folded here when both inputs are constants");
            };
            ensure!(*a == FLOAT && *b == FLOAT, "on types {a} and {b}, not float32");
            let (shape, values) = broadcast(sa, va, sb, vb, if op == "Mul" { |x, y| x * y } else { |x, y| x + y })?;
            Value::Const {
                data_type: FLOAT,
                shape,
                values,
            }
        }
        "Conv" => conv(model, node, inputs)?,
        "Gemm" => gemm(model, node, inputs)?,
        "MaxPool" | "AveragePool" => pool(model, node, one()?)?,
        "Relu" | "Tanh" | "Sigmoid" => {
            let Value::Wire { outlet, shape } = one()? else {
                bail!("on a constant")
            };
            let outlet = match op {
                "Relu" => model.wire_node(name, Relu, &[*outlet])?[0],
                "Tanh" => model.wire_node(name, tract_onnx::tract_hir::tract_core::ops::math::tanh(), &[*outlet])?[0],
                _ => model.wire_node(name, tract_onnx::tract_hir::tract_core::ops::nn::sigmoid(), &[*outlet])?[0],
            };
            Value::Wire {
                outlet,
                shape: shape.clone(),
            }
        }
        "Flatten" | "Reshape" => {
            let (Value::Wire { outlet, shape }, rest) = inputs.split_first().context("no input")? else {
                bail!("on a constant");
            };
            let to = if op == "Flatten" {
                ensure!(rest.is_empty(), "takes one input");
                let axis: i64 = node.get_attr_opt("axis")?.unwrap_or(1);
                let rank = shape.len() as i64;
                ensure!((-rank..=rank).contains(&axis), "axis {axis} out of range");
                let axis = if axis < 0 { axis + rank } else { axis } as usize;
                vec![shape[..axis].iter().product(), shape[axis..].iter().product()]
            } else {
                let [
                    Value::Const {
                        data_type,
                        shape: s,
                        values: target,
                    },
                ] = rest
                else {
                    bail!("the shape must be a constant")
                };
                ensure!(*data_type == DataType::Int64 as i32, "the shape must be int64");
                ensure!(s.len() == 1, "the shape must be a list");
                let allowzero = node.get_attr_opt::<i64>("allowzero")?.unwrap_or(0) != 0;
                reshaped(shape, target, allowzero)?
            };
            let flat = Value::Flat {
                outlet: *outlet,
                from: shape.clone(),
                shape: to,
                name: name.to_string(),
            };
            match &flat {
                Value::Flat { shape, .. } if flat_ok && shape.len() == 2 && shape[0] == 1 => flat,
                _ => flat.wired(model)?,
            }
        }
        "Softmax" => {
            let Value::Wire { outlet, shape } = one()? else {
                bail!("on a constant")
            };
            let axis: i64 = node.get_attr_opt("axis")?.unwrap_or(if opset < 13 { 1 } else { -1 });
            // Before opset 13 Softmax flattens from `axis` on; on rank 2 both mean the last axis.
            ensure!(
                shape.len() == 2 && (axis == 1 || axis == -1),
                "only over the last axis of a rank-2 input"
            );
            let outlet = model.wire_node(name, Softmax, &[*outlet])?[0];
            Value::Wire {
                outlet,
                shape: shape.clone(),
            }
        }
        _ => bail!("not taken by the direct loader"),
    })
}

/// ONNX `Conv` → [`DirectConv`]: float32 NCHW, constant weights (and bias), group 1,
/// stride 1, no dilation, explicit or no padding.
fn conv(model: &mut TypedModel, node: &pb::NodeProto, inputs: &[Value]) -> TractResult<Value> {
    let (x, w, b) = match inputs {
        [x, w] => (x, w, None),
        [x, w, b] => (x, w, Some(b)),
        _ => bail!("takes 2 or 3 inputs, has {}", inputs.len()),
    };
    let (
        Value::Wire { outlet, shape },
        Value::Const {
            data_type: FLOAT,
            shape: ws,
            values: weights,
        },
    ) = (x, w)
    else {
        bail!("only a float32 constant kernel");
    };
    ensure!(node.get_attr_opt::<i64>("group")?.unwrap_or(1) == 1, "groups");
    for attr in ["strides", "dilations"] {
        if let Some(v) = node.get_attr_opt_tvec::<i64>(attr)? {
            ensure!(v.iter().all(|&s| s == 1), "{attr} {v:?}");
        }
    }
    let auto_pad = node.get_attr_opt::<&str>("auto_pad")?.unwrap_or("NOTSET");
    ensure!(auto_pad == "NOTSET" || auto_pad == "VALID", "auto_pad {auto_pad}");
    let pads = match node.get_attr_opt_tvec::<i64>("pads")? {
        None => [0; 4],
        Some(p) if auto_pad == "NOTSET" && p.len() == 4 && p.iter().all(|&v| (0..=64).contains(&v)) => {
            [p[0] as usize, p[1] as usize, p[2] as usize, p[3] as usize]
        }
        Some(p) => bail!("pads {p:?}"),
    };
    let (&[1, c, h, wd], &[m, wc, kh, kw]) = (&shape[..], &ws[..]) else {
        bail!("input {shape:?} and kernel {ws:?} are not [1,C,H,W] and [M,C,kh,kw]");
    };
    ensure!(c == wc, "kernel for {wc} channels, input has {c}");
    if let Some(k) = node.get_attr_opt_tvec::<i64>("kernel_shape")? {
        ensure!(k[..] == [kh as i64, kw as i64], "kernel_shape {k:?}, kernel {ws:?}");
    }
    let bias = match b {
        None => vec![0.0; m],
        Some(Value::Const {
            data_type: FLOAT,
            shape: bs,
            values,
        }) if bs[..] == [m] => values.clone(),
        Some(_) => bail!("the bias must be a float32 constant of {m} values"),
    };
    let geometry = Geometry {
        input: [c, h, wd],
        pads,
        kernel: [kh, kw],
        maps: m,
    };
    let [oh, ow] = geometry.output().context("kernel larger than the input")?;
    let op = DirectConv::new(geometry, weights, &bias)?;
    let outlet = model.wire_node(&node.name, op, &[*outlet])?[0];
    Ok(Value::Wire {
        outlet,
        shape: vec![1, m, oh, ow],
    })
}

/// ONNX `Gemm` with a constant B (and C) on a `[1, K]` input → a 1x1 [`DirectConv`] over
/// `K` channels: `alpha`, `beta` and `transB` folded into its weights and bias.
fn gemm(model: &mut TypedModel, node: &pb::NodeProto, inputs: &[Value]) -> TractResult<Value> {
    let (a, b, c) = match inputs {
        [a, b] => (a, b, None),
        [a, b, c] => (a, b, Some(c)),
        _ => bail!("takes 2 or 3 inputs, has {}", inputs.len()),
    };
    let (
        Value::Wire { outlet, shape } | Value::Flat { outlet, shape, .. },
        Value::Const {
            data_type: FLOAT,
            shape: bs,
            values: bv,
        },
    ) = (a, b)
    else {
        bail!("only a float32 constant B");
    };
    ensure!(node.get_attr_opt::<i64>("transA")?.unwrap_or(0) == 0, "transA");
    let trans_b = node.get_attr_opt::<i64>("transB")?.unwrap_or(0) != 0;
    let alpha: f32 = node.get_attr_opt("alpha")?.unwrap_or(1.0);
    let beta: f32 = node.get_attr_opt("beta")?.unwrap_or(1.0);
    let (&[1, k], &[r, s]) = (&shape[..], &bs[..]) else {
        bail!("A {shape:?} and B {bs:?} are not [1,K] and a matrix");
    };
    let (bk, n) = if trans_b { (s, r) } else { (r, s) };
    ensure!(bk == k, "A has {k} columns, B {bk} rows");
    // Output unit j, input k: alpha · B[k][j] (B[j][k] when transposed).
    let weights: Vec<f32> = (0..n * k)
        .map(|i| {
            let (j, kk) = (i / k, i % k);
            alpha * if trans_b { bv[j * k + kk] } else { bv[kk * n + j] }
        })
        .collect();
    let bias = match c {
        None => vec![0.0; n],
        Some(Value::Const {
            data_type: FLOAT,
            shape: cs,
            values,
        }) => {
            let (_, c) = broadcast(&[1, n], &vec![0.0; n], cs, values, |_, c| c)?;
            c.iter().map(|v| beta * v).collect()
        }
        Some(_) => bail!("C must be a float32 constant"),
    };
    let op = DirectConv::dense(k, n, &weights, &bias)?;
    let outlet = model.wire_node(&node.name, op, &[*outlet])?[0];
    Ok(Value::Wire {
        outlet,
        shape: vec![1, n],
    })
}

/// ONNX `MaxPool`/`AveragePool` 2x2 with stride 2, no padding or dilation, rounding down.
fn pool(model: &mut TypedModel, node: &pb::NodeProto, x: &Value) -> TractResult<Value> {
    let Value::Wire { outlet, shape } = x else {
        bail!("on a constant")
    };
    let [1, c, h, w] = shape[..] else {
        bail!("input {shape:?} is not [1,C,H,W]")
    };
    let ints = |attr: &str| node.get_attr_opt_tvec::<i64>(attr);
    ensure!(ints("kernel_shape")?.as_deref() == Some(&[2, 2][..]), "only 2x2");
    ensure!(ints("strides")?.as_deref() == Some(&[2, 2][..]), "only stride 2");
    if let Some(d) = ints("dilations")? {
        ensure!(d.iter().all(|&v| v == 1), "dilations {d:?}");
    }
    if let Some(p) = ints("pads")? {
        ensure!(p.iter().all(|&v| v == 0), "pads {p:?}");
    }
    let auto_pad = node.get_attr_opt::<&str>("auto_pad")?.unwrap_or("NOTSET");
    ensure!(auto_pad == "NOTSET" || auto_pad == "VALID", "auto_pad {auto_pad}");
    let ceil = node.get_attr_opt::<i64>("ceil_mode")?.unwrap_or(0) != 0;
    ensure!(!ceil || (h % 2 == 0 && w % 2 == 0), "ceil_mode on an odd size");
    let outlet = if node.op_type == "MaxPool" {
        model.wire_node(&node.name, MaxPool2x2, &[*outlet])?[0]
    } else {
        model.wire_node(&node.name, AvgPool2x2, &[*outlet])?[0]
    };
    Ok(Value::Wire {
        outlet,
        shape: vec![1, c, h / 2, w / 2],
    })
}

/// The target of a `Reshape` (0 copies a dimension unless `allowzero`, -1 takes the rest).
fn reshaped(from: &[usize], target: &[f32], allowzero: bool) -> TractResult<Vec<usize>> {
    let total: usize = from.iter().product();
    let mut to = Vec::with_capacity(target.len());
    let mut infer = None;
    for (i, &t) in target.iter().enumerate() {
        ensure!(
            t.fract() == 0.0 && t >= -1.0 && t <= MAX_VALUES as f32,
            "shape value {t}"
        );
        match t as i64 {
            -1 => {
                ensure!(infer.replace(i).is_none(), "two -1 in the shape");
                to.push(1);
            }
            0 if !allowzero => to.push(*from.get(i).context("0 past the input's rank")?),
            d => to.push(d as usize),
        }
    }
    let known = to
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .context("overflow")?;
    if let Some(i) = infer {
        ensure!(known > 0 && total.is_multiple_of(known), "cannot infer -1");
        to[i] = total / known;
    }
    let size = to.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    ensure!(size == Some(total), "{from:?} cannot become {to:?}");
    Ok(to)
}

/// numpy-style broadcasting of two constants.
fn broadcast(
    sa: &[usize],
    va: &[f32],
    sb: &[usize],
    vb: &[f32],
    f: fn(f32, f32) -> f32,
) -> TractResult<(Vec<usize>, Vec<f32>)> {
    let rank = sa.len().max(sb.len());
    let dim = |s: &[usize], i: usize| if i + s.len() < rank { 1 } else { s[i + s.len() - rank] };
    let mut shape = Vec::with_capacity(rank);
    for i in 0..rank {
        let (a, b) = (dim(sa, i), dim(sb, i));
        ensure!(a == b || a == 1 || b == 1, "shapes {sa:?} and {sb:?} do not broadcast");
        shape.push(if a == 1 { b } else { a });
    }
    let len = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|&n| n <= MAX_VALUES);
    let len = len.context("too large")?;
    // Strides of each operand in the output's index space (0 where broadcast).
    let strides = |s: &[usize]| {
        let mut out = vec![0; rank];
        let mut step = 1;
        for i in (0..rank).rev() {
            let d = dim(s, i);
            out[i] = if d == 1 { 0 } else { step };
            step *= d;
        }
        out
    };
    let (ta, tb) = (strides(sa), strides(sb));
    let mut index = vec![0usize; rank];
    let mut values = Vec::with_capacity(len);
    for _ in 0..len {
        let at = |t: &[usize]| index.iter().zip(t).map(|(i, s)| i * s).sum::<usize>();
        values.push(f(va[at(&ta)], vb[at(&tb)]));
        for i in (0..rank).rev() {
            index[i] += 1;
            if index[i] < shape[i] {
                break;
            }
            index[i] = 0;
        }
    }
    Ok((shape, values))
}

/// A `Constant` node's value.
fn constant_node(node: &pb::NodeProto) -> TractResult<Value> {
    let attr = node.attribute.first().context("no value")?;
    ensure!(node.attribute.len() == 1, "more than one value");
    Ok(match attr.name.as_str() {
        "value" => constant(attr.t.as_ref().context("no tensor")?).map_err(|e| format_err!("{e}"))?,
        "value_float" => Value::Const {
            data_type: FLOAT,
            shape: vec![],
            values: vec![attr.f],
        },
        "value_floats" => Value::Const {
            data_type: FLOAT,
            shape: vec![attr.floats.len()],
            values: attr.floats.clone(),
        },
        "value_int" => Value::Const {
            data_type: DataType::Int64 as i32,
            shape: vec![],
            values: vec![attr.i as f32],
        },
        "value_ints" => Value::Const {
            data_type: DataType::Int64 as i32,
            shape: vec![attr.ints.len()],
            values: attr.ints.iter().map(|&v| v as f32).collect(),
        },
        other => bail!("a {other} value"),
    })
}

/// An initializer's values as float32, with its ONNX type (integers up to 2^24 are exact,
/// which covers int8 weights and shapes).
fn constant(t: &pb::TensorProto) -> Result<Value, String> {
    let name = &t.name;
    if !t.external_data.is_empty() || t.data_location.is_some_and(|l| l != 0) {
        return Err(format!("`{name}` is stored outside the file"));
    }
    let shape = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| format!("`{name}` has dimension {d}")))
        .collect::<Result<Vec<_>, _>>()?;
    let len = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|&n| n <= MAX_VALUES)
        .ok_or_else(|| format!("`{name}` is too large"))?;
    let raw = &t.raw_data;
    let values: Vec<f32> = match DataType::try_from(t.data_type) {
        Ok(DataType::Float) if raw.is_empty() => t.float_data.clone(),
        Ok(DataType::Float) => raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Ok(DataType::Float16) if raw.is_empty() => t
            .int32_data
            .iter()
            .map(|&v| half::f16::from_bits(v as u16).to_f32())
            .collect(),
        Ok(DataType::Float16) => raw
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Ok(DataType::Int8) if raw.is_empty() => t.int32_data.iter().map(|&v| v as i8 as f32).collect(),
        Ok(DataType::Int8) => raw.iter().map(|&b| b as i8 as f32).collect(),
        Ok(DataType::Int64) if raw.is_empty() => t.int64_data.iter().map(|&v| v as f32).collect(),
        Ok(DataType::Int64) => raw
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        _ => return Err(format!("`{name}` has data type {}", t.data_type)),
    };
    if values.len() != len {
        return Err(format!("`{name}` holds {} values for shape {shape:?}", values.len()));
    }
    Ok(Value::Const {
        data_type: t.data_type,
        shape,
        values,
    })
}

/// ONNX `Relu` on float32.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct Relu;

impl Op for Relu {
    fn name(&self) -> StaticName {
        "Relu".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Relu {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let mut x = args_1!(inputs).into_tensor();
        crate::direct_conv::relu(x.try_as_plain_ram_mut()?.as_slice_mut::<f32>()?);
        Ok(tvec!(x.into_tvalue()))
    }
}

impl TypedOp for Relu {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        same_float32(inputs)
    }

    as_op!();
}

/// ONNX `Softmax` over the last axis of a float32 `[N, K]` tensor.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct Softmax;

impl Op for Softmax {
    fn name(&self) -> StaticName {
        "Softmax".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Softmax {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let mut x = args_1!(inputs).into_tensor();
        let k = *x.shape().last().context("Softmax on a scalar")?;
        for row in x.try_as_plain_ram_mut()?.as_slice_mut::<f32>()?.chunks_mut(k.max(1)) {
            let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
            let mut sum = 0.0;
            for v in row.iter_mut() {
                *v = (*v - max).exp();
                sum += *v;
            }
            row.iter_mut().for_each(|v| *v /= sum);
        }
        Ok(tvec!(x.into_tvalue()))
    }
}

impl TypedOp for Softmax {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        same_float32(inputs)
    }

    as_op!();
}

/// The output fact of an element-wise float32 op ([`Relu`], [`Softmax`]): its input's.
fn same_float32(inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
    ensure!(inputs[0].datum_type == f32::datum_type());
    Ok(tvec!(inputs[0].without_value()))
}
