//! The ONNX operators this recognizer accepts: the ones a LeNet-style network is made of.
//!
//! `tract_onnx::onnx()` registers every ONNX operator tract knows (~200), and a registry holds
//! a function pointer to each builder, so the linker keeps all of them, and every tract op
//! they create, in the wasm. Registering only what LeNet-5 and its usual PyTorch/Keras exports
//! use drops that code (see the README's size table). tract-onnx keeps its builders private,
//! so the few used here are rebuilt on tract-hir's public ops, following tract-onnx 0.23
//! (`ops/nn/mod.rs`, `ops/math/gemm.rs`, `ops/array/mod.rs`; MIT/Apache-2.0) line for line.
//!
//! A model with any other operator is refused up front with its names
//! ([`crate::operators::unsupported`]).

use tract_onnx::model::{OnnxOpRegister, ParsingContext};
use tract_onnx::pb::NodeProto;
use tract_onnx::pb_helpers::OptionExt;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::ops;
use tract_onnx::tract_hir::ops::{cnn, nn};
use tract_onnx::tract_hir::tract_core::ops::einsum::EinSum;

type Built = TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// The ONNX front end with only [`crate::operators::SUPPORTED`] registered.
pub fn onnx() -> tract_onnx::Onnx {
    let mut reg = OnnxOpRegister::default();
    reg.insert("Conv", conv);
    reg.insert("MaxPool", max_pool);
    reg.insert("AveragePool", average_pool);
    reg.insert("Relu", |_, _| {
        Ok((expand(ops::activations::Clip::new(Some(0.0), None)), vec![]))
    });
    reg.insert("Tanh", |_, _| Ok((ops::math::tanh().into_hir(), vec![])));
    reg.insert("Sigmoid", |_, _| Ok((ops::nn::sigmoid().into_hir(), vec![])));
    reg.insert("Gemm", gemm);
    reg.insert("MatMul", |_, _| {
        Ok((expand(ops::matmul::MatMulInference::default()), vec![]))
    });
    reg.insert("Add", |_, _| Ok((ops::math::Add.into_hir(), vec![])));
    reg.insert("Mul", |_, _| Ok((ops::math::Mul.into_hir(), vec![])));
    reg.insert("Flatten", |_, node| {
        let axis: i64 = node.get_attr_opt("axis")?.unwrap_or(1);
        // ONNX allows axis in [-r, r].
        Ok((
            ranked(ops::array::Flatten::new(axis), axis.unsigned_abs() as usize, false),
            vec![],
        ))
    });
    reg.insert("Reshape", |_, node| {
        let allowzero = node.get_attr_opt::<i64>("allowzero")?.unwrap_or(0) != 0;
        Ok((expand(ops::array::Reshape::new(allowzero)), vec![]))
    });
    reg.insert("Softmax", softmax);
    reg.insert("Constant", constant);
    reg.insert("Identity", identity);
    // At inference, Dropout passes its input through (a mask output is not supported).
    reg.insert("Dropout", |ctx, node| {
        if node.output.iter().filter(|o| !o.is_empty()).count() > 1 {
            bail!("Dropout with a mask output is not supported");
        }
        identity(ctx, node)
    });
    // float16 weights reach the layers through a Cast to float32 (folded when optimising).
    reg.insert("Cast", |_, node| {
        let to: i64 = node.get_attr("to")?;
        if to != 1 {
            bail!("Cast to anything but float32 is not supported (to = {to})");
        }
        Ok((expand(CastToF32), vec![]))
    });
    tract_onnx::Onnx {
        op_register: reg,
        ..Default::default()
    }
}

fn identity(_: &ParsingContext, _: &NodeProto) -> Built {
    Ok((Box::<ops::identity::Identity>::default(), vec![]))
}

fn constant(ctx: &ParsingContext, node: &NodeProto) -> Built {
    let value = if let Some(v) = node.get_attr_opt("value")? {
        ctx.load_tensor(v)?
    } else if let Some(v) = node.get_attr_opt::<f32>("value_float")? {
        tensor0(v)
    } else if let Some(v) = node.get_attr_opt_slice::<f32>("value_floats")? {
        tensor1(v)
    } else if let Some(v) = node.get_attr_opt::<i64>("value_int")? {
        tensor0(v)
    } else if let Some(v) = node.get_attr_opt_slice::<i64>("value_ints")? {
        tensor1(v)
    } else {
        bail!("a Constant node holds no numeric value")
    };
    Ok((Box::new(ops::konst::Const::new(value.into_arc_tensor())?), vec![]))
}

fn pad(node: &NodeProto, pool_rules: bool) -> TractResult<cnn::PaddingSpec> {
    let ceil_mode = node.get_attr_opt::<isize>("ceil_mode")?.unwrap_or(0) == 1;
    let default = match node.get_attr_opt_vec::<isize>("kernel_shape")? {
        Some(shape) if pool_rules => {
            cnn::PaddingSpec::ExplicitOnnxPool(tvec!(0; shape.len()), tvec!(0; shape.len()), ceil_mode)
        }
        Some(shape) => cnn::PaddingSpec::Explicit(tvec!(0; shape.len()), tvec!(0; shape.len())),
        None => cnn::PaddingSpec::Valid,
    };
    if let Some(pads) = node.get_attr_opt_tvec("pads")? {
        let len = pads.len();
        let left = pads.iter().cloned().take(len / 2).collect();
        let right = pads.iter().cloned().skip(len / 2).collect();
        return Ok(if pool_rules {
            cnn::PaddingSpec::ExplicitOnnxPool(left, right, ceil_mode)
        } else {
            cnn::PaddingSpec::Explicit(left, right)
        });
    }
    Ok(node
        .get_attr_opt("auto_pad")?
        .and_try(|s| {
            node.check_value(
                "auto_pad",
                match s {
                    "NOTSET" => Ok(default.clone()),
                    "VALID" => Ok(cnn::PaddingSpec::Valid),
                    "SAME_UPPER" => Ok(cnn::PaddingSpec::SameUpper),
                    "SAME_LOWER" => Ok(cnn::PaddingSpec::SameLower),
                    _ => Err(s),
                },
            )
        })?
        .unwrap_or(default))
}

fn conv(_: &ParsingContext, node: &NodeProto) -> Built {
    let mut op = ops::cnn::Conv::default().padding(pad(node, false)?);
    if let Some(kernel_shape) = node.get_attr_opt_tvec("kernel_shape")? {
        op = op.kernel_shape(kernel_shape);
    }
    if let Some(group) = node.get_attr_opt("group")? {
        op = op.group(group);
    }
    if let Some(v) = node.get_attr_opt_tvec("dilations")? {
        op = op.dilations(v);
    }
    if let Some(v) = node.get_attr_opt_tvec("strides")? {
        op = op.strides(v);
    }
    if node.input.len() == 3 {
        op = op.bias_input(2);
    }
    // Without spatial attributes, tract takes the axes from the weights: at least one.
    let op = match spatial_rank(node)? {
        Some(rank) => ranked(op, rank + 2, true),
        None => ranked(op, 3, false),
    };
    Ok((op, vec![]))
}

/// How many spatial axes the attributes of a Conv or pool node describe (`None` if none is
/// given). tract indexes `kernel_shape`, `strides`, `dilations` and `pads` by axis and panics on
/// lengths that disagree with each other or with the input, and divides by strides: refuse
/// such nodes here, and pin the input's rank in [`Ranked`] (found by fuzzing).
fn spatial_rank(node: &NodeProto) -> TractResult<Option<usize>> {
    let mut rank: Option<(usize, &str)> = None;
    for name in ["kernel_shape", "strides", "dilations", "pads"] {
        let Some(values) = node.get_attr_opt_tvec::<usize>(name)? else {
            continue;
        };
        if name != "pads" && values.contains(&0) {
            bail!("{} `{name}` holds a 0", node.op_type);
        }
        if name == "pads" && values.len() % 2 != 0 {
            bail!(
                "{} `pads` holds {} values, not a begin and an end per axis",
                node.op_type,
                values.len()
            );
        }
        let len = if name == "pads" { values.len() / 2 } else { values.len() };
        match rank {
            Some((r, other)) if r != len => {
                bail!(
                    "{} `{name}` does not match its `{other}` ({} values for {r} axes)",
                    node.op_type,
                    values.len()
                )
            }
            _ => rank = Some((len, name)),
        }
    }
    Ok(rank.map(|(r, _)| r))
}

/// `op`, taking an input with `rank` spatial axes (plus batch and channels) when known.
fn spatial<E: Expansion>(op: E, rank: Option<usize>) -> Box<dyn InferenceOp> {
    match rank {
        Some(rank) => ranked(op, rank + 2, true),
        None => expand(op),
    }
}

/// `op`, whose first input must have exactly `rank` axes (`exact`), or at least `rank`.
fn ranked<E: Expansion>(op: E, rank: usize, exact: bool) -> Box<dyn InferenceOp> {
    expand(Ranked {
        op: Box::new(op),
        rank,
        exact,
    })
}

/// An operator whose input rank is checked before tract computes its output shape: tract's
/// Conv, pools, Flatten and Softmax index the input's axes by their attributes unchecked.
#[derive(Debug, Clone)]
struct Ranked {
    op: Box<dyn Expansion>,
    rank: usize,
    exact: bool,
}

impl Expansion for Ranked {
    fn name(&self) -> StaticName {
        Expansion::name(self.op.as_ref())
    }

    fn validation(&self) -> Validation {
        Expansion::validation(self.op.as_ref())
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Expansion::info(self.op.as_ref())
    }

    fn nboutputs(&self) -> TractResult<usize> {
        Expansion::nboutputs(self.op.as_ref())
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        let Some(input) = inputs.first() else {
            bail!("{} has no input", self.name());
        };
        // First, so that a wrong rank fails before the inner rules index by axis.
        if self.exact {
            s.equals(&input.rank, self.rank as i64)?;
        } else {
            s.given(&input.rank, move |_, rank| {
                if rank < self.rank as i64 {
                    bail!(
                        "{}'s axis needs an input of rank {} or more, not {rank}",
                        self.name(),
                        self.rank
                    );
                }
                Ok(())
            })?;
        }
        Expansion::rules(self.op.as_ref(), s, inputs, outputs)
    }

    fn wire(&self, prefix: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        Expansion::wire(self.op.as_ref(), prefix, model, inputs)
    }
}

/// ONNX `Cast` to float32 (tract-onnx's own Cast is private); numbers only.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct CastToF32;

impl Expansion for CastToF32 {
    fn name(&self) -> StaticName {
        "onnx.Cast".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        check_output_arity(outputs, 1)?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.equals(&outputs[0].rank, &inputs[0].rank)?;
        s.equals(&outputs[0].shape, &inputs[0].shape)?;
        Ok(())
    }

    fn wire(&self, prefix: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        let from = model.outlet_fact(inputs[0])?.datum_type;
        if !from.is_number() {
            bail!("Cast from {from:?} is not supported");
        }
        model.wire_node(
            prefix,
            tract_onnx::tract_hir::tract_core::ops::cast::cast(f32::datum_type()),
            &[inputs[0]],
        )
    }
}

fn pool_spec(node: &NodeProto) -> TractResult<cnn::PoolSpec> {
    Ok(cnn::PoolSpec::new(
        nn::DataFormat::NCHW,
        node.get_attr_tvec("kernel_shape")?,
        pad(node, true)?,
        node.get_attr_opt_tvec("dilations")?,
        node.get_attr_opt_tvec("strides")?,
        0,
        0,
    ))
}

fn max_pool(_: &ParsingContext, node: &NodeProto) -> Built {
    if node.output.iter().filter(|o| !o.is_empty()).count() > 1 {
        bail!("MaxPool with an Indices output is not supported");
    }
    Ok((
        spatial(cnn::HirMaxPool::new(pool_spec(node)?, None), spatial_rank(node)?),
        vec![],
    ))
}

fn average_pool(_: &ParsingContext, node: &NodeProto) -> Built {
    let count_include_pad = node.get_attr_opt("count_include_pad")?.unwrap_or(false);
    Ok((
        spatial(
            cnn::HirSumPool::new(pool_spec(node)?, count_include_pad, true),
            spatial_rank(node)?,
        ),
        vec![],
    ))
}

fn softmax(ctx: &ParsingContext, node: &NodeProto) -> Built {
    let axis: Option<isize> = node.get_attr_opt("axis")?;
    // ONNX allows axis in [-r, r-1].
    let rank = |axis: isize| {
        if axis < 0 {
            axis.unsigned_abs()
        } else {
            axis as usize + 1
        }
    };
    if ctx.onnx_operator_set_version < 13 {
        let axis = axis.unwrap_or(1);
        Ok((
            ranked(ops::nn::LayerSoftmax::new(axis, true), rank(axis), false),
            vec![],
        ))
    } else {
        let axis = axis.unwrap_or(-1);
        Ok((ranked(ops::nn::Softmax::new(axis), rank(axis), false), vec![]))
    }
}

fn gemm(_: &ParsingContext, node: &NodeProto) -> Built {
    Ok((
        expand(Gemm {
            alpha: node.get_attr_opt("alpha")?.unwrap_or(1.),
            beta: node.get_attr_opt("beta")?.unwrap_or(1.),
            trans_a: node.get_attr_opt("transA")?.unwrap_or(false),
            trans_b: node.get_attr_opt("transB")?.unwrap_or(false),
        }),
        vec![],
    ))
}

/// ONNX Gemm: `alpha * A' B' + beta * C`, as an einsum plus element-wise ops.
#[derive(Debug, Clone)]
struct Gemm {
    alpha: f32,
    beta: f32,
    trans_a: bool,
    trans_b: bool,
}

impl Expansion for Gemm {
    fn name(&self) -> StaticName {
        "Gemm".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        if inputs.len() < 2 {
            bail!("Gemm needs at least 2 inputs, the node has {}", inputs.len());
        }
        if inputs.len() == 3 {
            s.equals(&inputs[2].datum_type, &outputs[0].datum_type)?;
        }
        s.equals(&inputs[0].rank, 2)?;
        s.equals(&inputs[1].rank, 2)?;
        check_output_arity(outputs, 1)?;
        s.equals(&outputs[0].rank, 2)?;
        s.equals(&inputs[0].datum_type, &outputs[0].datum_type)?;
        s.equals(&inputs[1].datum_type, &outputs[0].datum_type)?;
        let (ca, ra) = if self.trans_a { (0, 1) } else { (1, 0) };
        let (cb, rb) = if self.trans_b { (0, 1) } else { (1, 0) };
        s.equals(&inputs[0].shape[ra], &outputs[0].shape[0])?;
        s.equals(&inputs[0].shape[ca], &inputs[1].shape[rb])?;
        s.equals(&inputs[1].shape[cb], &outputs[0].shape[1])?;
        Ok(())
    }

    fn wire(&self, name: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        let (a, b, c) = (inputs[0], inputs[1], inputs.get(2));
        let axes = AxesMapping::for_numpy_matmul(2, self.trans_a, self.trans_b, false)?;
        let mut wire = model.wire_node(
            format!("{name}.ab"),
            EinSum::new(axes, model.outlet_fact(a)?.datum_type),
            [a, b].as_ref(),
        )?[0];
        if self.alpha != 1.0 {
            let alpha = tensor0(self.alpha).broadcast_into_rank(model.outlet_fact(wire)?.rank())?;
            let alpha = model.add_const(format!("{name}.alpha_ab.cst"), alpha)?;
            wire = model.wire_node(format!("{name}.alpha_ab"), ops::math::mul(), &[alpha, wire])?[0];
        }
        if let Some(&c) = c.filter(|_| self.beta != 0.0) {
            let mut c = c;
            while model.outlet_fact(wire)?.rank() > model.outlet_fact(c)?.rank() {
                c = model.wire_node(
                    format!("{}.c_add_axis_{}", name, model.outlet_fact(c)?.rank()),
                    AxisOp::Add(0),
                    &[c],
                )?[0];
            }
            if self.beta != 1.0 {
                let beta = tensor0(self.beta).broadcast_into_rank(model.outlet_fact(wire)?.rank())?;
                let beta = model.add_const(format!("{name}.beta_c.cst"), beta)?;
                c = model.wire_node(format!("{name}.beta_c"), ops::math::mul(), &[beta, c])?[0];
            }
            wire = model.wire_node(name, ops::math::add(), &[wire, c])?[0];
        }
        Ok(tvec!(wire))
    }
}
