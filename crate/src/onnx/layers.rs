//! A model as one layer description: what every reader of a LeNet-style graph works from.
//! The direct plan (`infer::direct`) turns it into tract ops, the fine-tuner
//! (`train::finetune`) into the trainer's weights, and the exporter's round-trip tests compare
//! it with what was written.
//!
//! [`Layers::parse`] walks the graph once, with concrete shapes for one 32x32 digit: constants
//! (int8/float16 weights and their `Cast`/`Mul` to float32) are folded, `Conv` and `Gemm`
//! become [`Conv`] and [`Dense`] with float32 weights, 2x2 pools, activations, reshapes and the
//! softmax become layers of their own. It takes only graphs it describes exactly, and otherwise
//! says why in words (the model then goes to tract's general path, where it is built).

use std::collections::HashMap;

use super::attrs::{self, AutoPad, ConstantValue};
use super::budget::{Cost, volume};
use super::contract::{INPUT_NAME, INPUT_SIDE, MAX_VALUES, OUTPUT_NAME, size_of};
use super::pb;
use super::read::opset;
use super::tensor::{self, Constant, FLOAT, INT64};

/// Largest padding taken on any side.
const MAX_PAD: usize = 64;

/// The layers of a model in evaluation order; the last computes [`OUTPUT_NAME`].
#[derive(Clone, Debug, PartialEq)]
pub struct Layers {
    pub layers: Vec<Layer>,
}

/// One layer: reads one value, computes one.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// The ONNX node's name.
    pub name: String,
    /// The value it reads ([`INPUT_NAME`] or an earlier layer's output).
    pub input: String,
    /// The value it computes.
    pub output: String,
    /// Its output's shape.
    pub shape: Vec<usize>,
    pub op: Op,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Conv(Conv),
    Dense(Dense),
    /// 2x2 pooling with stride 2, no padding, rounding down.
    Pool(Pool),
    Activation(Activation),
    /// The same values in another shape (`Flatten`, `Reshape`).
    Reshape {
        from: Vec<usize>,
    },
    /// Over the last axis of a `[N, K]` input.
    Softmax,
    /// Passes its input on (`Identity`, `Dropout`, a `Cast` of what is float32 already).
    Identity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    Max,
    Average,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
}

/// A convolution of float32 NCHW with constant weights: group 1, stride 1, no dilation, zero
/// padding (at most [`MAX_PAD`] a side).
#[derive(Clone, Debug, PartialEq)]
pub struct Conv {
    /// Input channels, height, width (before padding).
    pub input: [usize; 3],
    /// Zero padding: top, left, bottom, right.
    pub pads: [usize; 4],
    /// Kernel height and width.
    pub kernel: [usize; 2],
    /// Output maps.
    pub maps: usize,
    /// `[maps, channels, kh, kw]`, row-major.
    pub weights: Vec<f32>,
    /// One per map.
    pub bias: Vec<f32>,
}

/// A dense layer on a `[1, inputs]` value: `out[j] = bias[j] + Σ_k weights[j·inputs + k] · x[k]`
/// (`Gemm` with its `alpha`, `beta` and `transB` folded in).
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub inputs: usize,
    pub units: usize,
    /// `[units, inputs]`, row-major.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
}

/// A value while parsing: a constant, folded here, or computed from the input (with its shape).
#[derive(Clone, Debug)]
enum Value {
    Const(Constant),
    Wire(Vec<usize>),
}

impl Layers {
    /// What each layer costs for one digit ([`budget::check`] takes these).
    pub fn costs(&self) -> Vec<Cost> {
        self.layers
            .iter()
            .map(|l| {
                let values = volume(l.shape.iter().map(|&d| d as u64));
                let (op, macs) = match &l.op {
                    Op::Conv(c) => (
                        "Conv",
                        values.saturating_mul(volume([c.input[0], c.kernel[0], c.kernel[1]].map(|d| d as u64))),
                    ),
                    Op::Dense(d) => ("Dense", (d.units as u64).saturating_mul(d.inputs as u64)),
                    Op::Pool(_) => ("Pool", values.saturating_mul(4)),
                    Op::Activation(_) => ("Activation", values),
                    Op::Reshape { .. } => ("Reshape", 0),
                    Op::Softmax => ("Softmax", values),
                    Op::Identity => ("Identity", 0),
                };
                Cost {
                    layer: l.name.clone(),
                    op: op.into(),
                    macs,
                    values,
                }
            })
            .collect()
    }

    /// Parses a graph whose inputs, outputs and order [`super::read::read`] has checked.
    pub fn parse(proto: &pb::ModelProto) -> Result<Layers, String> {
        let graph = proto.graph.as_ref().ok_or("no graph")?;
        let opset = opset(proto);
        let mut values: HashMap<&str, Value> = HashMap::new();
        values.insert(INPUT_NAME, Value::Wire(vec![1, 1, INPUT_SIDE, INPUT_SIDE]));
        for t in &graph.initializer {
            values.insert(&t.name, Value::Const(tensor::decode(t)?));
        }
        let mut layers = Vec::new();
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
            let inputs = node
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
            let value =
                match node_value(node, &inputs, opset).map_err(|e| format!("{} `{}`: {e}", node.op_type, node.name))? {
                    Parsed::Const(c) => Value::Const(c),
                    Parsed::Layer(op, shape) => {
                        layers.push(Layer {
                            name: node.name.clone(),
                            input: node.input.iter().find(|i| !i.is_empty()).cloned().unwrap_or_default(),
                            output: output.to_string(),
                            shape: shape.clone(),
                            op,
                        });
                        Value::Wire(shape)
                    }
                };
            values.insert(output, value);
        }
        match values.get(OUTPUT_NAME) {
            Some(Value::Wire(_)) => Ok(Layers { layers }),
            _ => Err("the output is not computed from the input".into()),
        }
    }
}

/// What a node becomes: a constant folded here, or a layer with its output shape.
enum Parsed {
    Const(Constant),
    Layer(Op, Vec<usize>),
}

fn node_value(node: &pb::NodeProto, inputs: &[Value], opset: i64) -> Result<Parsed, String> {
    let one = || -> Result<&Value, String> {
        match inputs {
            [x] => Ok(x),
            _ => Err(format!("takes one input, has {}", inputs.len())),
        }
    };
    let wire = || -> Result<&Vec<usize>, String> {
        match one()? {
            Value::Wire(shape) => Ok(shape),
            Value::Const(_) => Err("on a constant".into()),
        }
    };
    let op = node.op_type.as_str();
    Ok(match op {
        "Identity" | "Dropout" => match one()? {
            Value::Const(c) => Parsed::Const(c.clone()),
            Value::Wire(shape) => Parsed::Layer(Op::Identity, shape.clone()),
        },
        "Constant" => {
            if node.attribute.len() != 1 {
                return Err("more than one value".into());
            }
            Parsed::Const(constant_node(node)?)
        }
        "Cast" => {
            let to = attrs::cast_to(node)?;
            if to != FLOAT as i64 {
                return Err(format!("casts to type {to}, not float32"));
            }
            match one()? {
                Value::Const(c) => Parsed::Const(Constant {
                    data_type: FLOAT,
                    ..c.clone()
                }),
                // The only wire is float32 (the input and everything computed from it).
                Value::Wire(shape) => Parsed::Layer(Op::Identity, shape.clone()),
            }
        }
        "Mul" | "Add" => {
            let [Value::Const(a), Value::Const(b)] = inputs else {
                return Err("only folded here when both inputs are constants".into());
            };
            if a.data_type != FLOAT || b.data_type != FLOAT {
                return Err(format!("on types {} and {}, not float32", a.data_type, b.data_type));
            }
            let f = if op == "Mul" { |x, y| x * y } else { |x, y| x + y };
            let (shape, values) = broadcast(&a.shape, &a.values, &b.shape, &b.values, f)?;
            Parsed::Const(Constant {
                data_type: FLOAT,
                shape,
                values,
            })
        }
        "Conv" => conv(node, inputs)?,
        "Gemm" => gemm(node, inputs)?,
        "MaxPool" | "AveragePool" => pool(node, wire()?)?,
        "Relu" | "Tanh" | "Sigmoid" => {
            let activation = match op {
                "Relu" => Activation::Relu,
                "Tanh" => Activation::Tanh,
                _ => Activation::Sigmoid,
            };
            Parsed::Layer(Op::Activation(activation), wire()?.clone())
        }
        "Flatten" | "Reshape" => {
            let (Value::Wire(shape), rest) = inputs.split_first().ok_or("no input")? else {
                return Err("on a constant".into());
            };
            let to = if op == "Flatten" {
                if !rest.is_empty() {
                    return Err("takes one input".into());
                }
                let axis = attrs::flatten_axis(node)?;
                let rank = shape.len() as i64;
                if !(-rank..=rank).contains(&axis) {
                    return Err(format!("axis {axis} out of range"));
                }
                let axis = if axis < 0 { axis + rank } else { axis } as usize;
                vec![shape[..axis].iter().product(), shape[axis..].iter().product()]
            } else {
                let [Value::Const(target)] = rest else {
                    return Err("the shape must be a constant".into());
                };
                if target.data_type != INT64 {
                    return Err("the shape must be int64".into());
                }
                if target.shape.len() != 1 {
                    return Err("the shape must be a list".into());
                }
                reshaped(shape, &target.values, attrs::reshape_allowzero(node)?)?
            };
            Parsed::Layer(Op::Reshape { from: shape.clone() }, to)
        }
        "Softmax" => {
            let shape = wire()?;
            let axis = attrs::softmax_axis(node, opset)?;
            // Before opset 13 Softmax flattens from `axis` on; on rank 2 both mean the last axis.
            if !(shape.len() == 2 && (axis == 1 || axis == -1)) {
                return Err("only over the last axis of a rank-2 input".into());
            }
            Parsed::Layer(Op::Softmax, shape.clone())
        }
        _ => return Err("not taken by the direct loader".into()),
    })
}

/// ONNX `Conv` with a float32 constant kernel (and bias), group 1, stride 1, no dilation,
/// explicit or no padding.
fn conv(node: &pb::NodeProto, inputs: &[Value]) -> Result<Parsed, String> {
    let (x, w, b) = match inputs {
        [x, w] => (x, w, None),
        [x, w, b] => (x, w, Some(b)),
        _ => return Err(format!("takes 2 or 3 inputs, has {}", inputs.len())),
    };
    let (Value::Wire(shape), Value::Const(w)) = (x, w) else {
        return Err("only a float32 constant kernel".into());
    };
    if w.data_type != FLOAT {
        return Err("only a float32 constant kernel".into());
    }
    let attrs = attrs::Conv::parse(node)?;
    if attrs.group != 1 {
        return Err("groups".into());
    }
    if !attrs.window.unit_steps() {
        return Err(format!(
            "strides {:?}, dilations {:?}",
            attrs.window.strides, attrs.window.dilations
        ));
    }
    let auto_pad = attrs.window.auto_pad;
    if !matches!(auto_pad, AutoPad::NotSet | AutoPad::Valid) {
        return Err(format!("auto_pad {auto_pad:?}"));
    }
    let pads = match &attrs.window.pads {
        None => [0; 4],
        Some(p) if auto_pad == AutoPad::NotSet && p.len() == 4 && p.iter().all(|&v| v <= MAX_PAD) => {
            [p[0], p[1], p[2], p[3]]
        }
        Some(p) => return Err(format!("pads {p:?}")),
    };
    let (&[1, c, h, wd], &[m, wc, kh, kw]) = (&shape[..], &w.shape[..]) else {
        return Err(format!(
            "input {shape:?} and kernel {:?} are not [1,C,H,W] and [M,C,kh,kw]",
            w.shape
        ));
    };
    if c != wc {
        return Err(format!("kernel for {wc} channels, input has {c}"));
    }
    if let Some(k) = &attrs.window.kernel_shape
        && k[..] != [kh, kw]
    {
        return Err(format!("kernel_shape {k:?}, kernel {:?}", w.shape));
    }
    let bias = match b {
        None => vec![0.0; m],
        Some(Value::Const(b)) if b.data_type == FLOAT && b.shape[..] == [m] => b.values.clone(),
        Some(_) => return Err(format!("the bias must be a float32 constant of {m} values")),
    };
    let conv = Conv {
        input: [c, h, wd],
        pads,
        kernel: [kh, kw],
        maps: m,
        weights: w.values.clone(),
        bias,
    };
    let [oh, ow] = conv.output().ok_or("kernel larger than the input")?;
    if size_of(&[m, oh, ow]).is_none() || size_of(&[c, h + pads[0] + pads[2], wd + pads[1] + pads[3]]).is_none() {
        return Err("too large".into());
    }
    Ok(Parsed::Layer(Op::Conv(conv), vec![1, m, oh, ow]))
}

impl Conv {
    /// Output height and width (`None` if the kernel is larger than the padded input, or on
    /// overflow: the sizes come from a model file).
    pub fn output(&self) -> Option<[usize; 2]> {
        let [_, h, w] = self.input;
        let [top, left, bottom, right] = self.pads;
        let hp = h.checked_add(top)?.checked_add(bottom)?;
        let wp = w.checked_add(left)?.checked_add(right)?;
        let [kh, kw] = self.kernel;
        Some([
            (hp.checked_sub(kh)?).checked_add(1)?,
            (wp.checked_sub(kw)?).checked_add(1)?,
        ])
    }
}

/// ONNX `Gemm` with a constant B (and C) on a `[1, K]` input: `alpha`, `beta` and `transB`
/// folded into a [`Dense`] layer's weights and bias.
fn gemm(node: &pb::NodeProto, inputs: &[Value]) -> Result<Parsed, String> {
    let (a, b, c) = match inputs {
        [a, b] => (a, b, None),
        [a, b, c] => (a, b, Some(c)),
        _ => return Err(format!("takes 2 or 3 inputs, has {}", inputs.len())),
    };
    let (Value::Wire(shape), Value::Const(b)) = (a, b) else {
        return Err("only a float32 constant B".into());
    };
    if b.data_type != FLOAT {
        return Err("only a float32 constant B".into());
    }
    let attrs = attrs::Gemm::parse(node)?;
    if attrs.trans_a {
        return Err("transA".into());
    }
    let (&[1, k], &[r, s]) = (&shape[..], &b.shape[..]) else {
        return Err(format!("A {shape:?} and B {:?} are not [1,K] and a matrix", b.shape));
    };
    let (bk, n) = if attrs.trans_b { (s, r) } else { (r, s) };
    if bk != k {
        return Err(format!("A has {k} columns, B {bk} rows"));
    }
    // Output unit j, input k: alpha · B[k][j] (B[j][k] when transposed).
    let bv = &b.values;
    let weights: Vec<f32> = (0..n * k)
        .map(|i| {
            let (j, kk) = (i / k, i % k);
            attrs.alpha * if attrs.trans_b { bv[j * k + kk] } else { bv[kk * n + j] }
        })
        .collect();
    let bias = match c {
        None => vec![0.0; n],
        Some(Value::Const(c)) if c.data_type == FLOAT => {
            let (_, c) = broadcast(&[1, n], &vec![0.0; n], &c.shape, &c.values, |_, c| c)?;
            c.iter().map(|v| attrs.beta * v).collect()
        }
        Some(_) => return Err("C must be a float32 constant".into()),
    };
    Ok(Parsed::Layer(
        Op::Dense(Dense {
            inputs: k,
            units: n,
            weights,
            bias,
        }),
        vec![1, n],
    ))
}

/// ONNX `MaxPool`/`AveragePool` 2x2 with stride 2, no padding or dilation, rounding down.
fn pool(node: &pb::NodeProto, shape: &[usize]) -> Result<Parsed, String> {
    let [1, c, h, w] = shape[..] else {
        return Err(format!("input {shape:?} is not [1,C,H,W]"));
    };
    let attrs = attrs::Pool::parse(node)?;
    let window = &attrs.window;
    if window.kernel_shape.as_deref() != Some(&[2, 2][..]) {
        return Err("only 2x2".into());
    }
    if window.strides.as_deref() != Some(&[2, 2][..]) {
        return Err("only stride 2".into());
    }
    if let Some(d) = &window.dilations
        && d.iter().any(|&v| v != 1)
    {
        return Err(format!("dilations {d:?}"));
    }
    if let Some(p) = &window.pads
        && p.iter().any(|&v| v != 0)
    {
        return Err(format!("pads {p:?}"));
    }
    if !matches!(window.auto_pad, AutoPad::NotSet | AutoPad::Valid) {
        return Err(format!("auto_pad {:?}", window.auto_pad));
    }
    if attrs.ceil_mode && (h % 2 != 0 || w % 2 != 0) {
        return Err("ceil_mode on an odd size".into());
    }
    let kind = if node.op_type == "MaxPool" {
        Pool::Max
    } else {
        Pool::Average
    };
    Ok(Parsed::Layer(Op::Pool(kind), vec![1, c, h / 2, w / 2]))
}

/// The target of a `Reshape` (0 copies a dimension unless `allowzero`, -1 takes the rest).
fn reshaped(from: &[usize], target: &[f32], allowzero: bool) -> Result<Vec<usize>, String> {
    let total: usize = from.iter().product();
    let mut to = Vec::with_capacity(target.len());
    let mut infer = None;
    for (i, &t) in target.iter().enumerate() {
        if !(t.fract() == 0.0 && t >= -1.0 && t <= MAX_VALUES as f32) {
            return Err(format!("shape value {t}"));
        }
        match t as i64 {
            -1 => {
                if infer.replace(i).is_some() {
                    return Err("two -1 in the shape".into());
                }
                to.push(1);
            }
            0 if !allowzero => to.push(*from.get(i).ok_or("0 past the input's rank")?),
            d => to.push(d as usize),
        }
    }
    let known = to.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or("overflow")?;
    if let Some(i) = infer {
        if known == 0 || !total.is_multiple_of(known) {
            return Err("cannot infer -1".into());
        }
        to[i] = total / known;
    }
    let size = to.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if size != Some(total) {
        return Err(format!("{from:?} cannot become {to:?}"));
    }
    Ok(to)
}

/// numpy-style broadcasting of two constants.
fn broadcast(
    sa: &[usize],
    va: &[f32],
    sb: &[usize],
    vb: &[f32],
    f: fn(f32, f32) -> f32,
) -> Result<(Vec<usize>, Vec<f32>), String> {
    let rank = sa.len().max(sb.len());
    let dim = |s: &[usize], i: usize| if i + s.len() < rank { 1 } else { s[i + s.len() - rank] };
    let mut shape = Vec::with_capacity(rank);
    for i in 0..rank {
        let (a, b) = (dim(sa, i), dim(sb, i));
        if !(a == b || a == 1 || b == 1) {
            return Err(format!("shapes {sa:?} and {sb:?} do not broadcast"));
        }
        shape.push(if a == 1 { b } else { a });
    }
    let len = size_of(&shape).ok_or("too large")?;
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
fn constant_node(node: &pb::NodeProto) -> Result<Constant, String> {
    Ok(match ConstantValue::parse(node)? {
        ConstantValue::Tensor(t) => tensor::decode(t)?,
        ConstantValue::Float(v) => Constant {
            data_type: FLOAT,
            shape: vec![],
            values: vec![v],
        },
        ConstantValue::Floats(v) => Constant {
            data_type: FLOAT,
            shape: vec![v.len()],
            values: v.to_vec(),
        },
        ConstantValue::Int(v) => Constant {
            data_type: INT64,
            shape: vec![],
            values: vec![v as f32],
        },
        ConstantValue::Ints(v) => Constant {
            data_type: INT64,
            shape: vec![v.len()],
            values: v.iter().map(|&x| x as f32).collect(),
        },
    })
}
