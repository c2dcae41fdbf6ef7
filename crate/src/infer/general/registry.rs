//! tract's ONNX front end with only the operators this recognizer accepts registered
//! ([`crate::onnx::operators::SUPPORTED`]).
//!
//! `tract_onnx::onnx()` registers every ONNX operator tract knows (~200), and a registry holds
//! a function pointer to each builder, so the linker keeps all of them, and every tract op
//! they create, in the wasm. tract-onnx keeps its builders private, so the few used here are
//! rebuilt on tract-hir's public ops, following tract-onnx 0.23 (`ops/nn/mod.rs`,
//! `ops/math/gemm.rs`, `ops/array/mod.rs`; MIT/Apache-2.0). Their attributes are read by
//! [`crate::onnx::attrs`], the same checks the direct plan's layers pass.

use tract_onnx::model::{OnnxOpRegister, ParsingContext};
use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::ops;
use tract_onnx::tract_hir::ops::{cnn, nn};
use tract_onnx::tract_hir::tract_core::ops::einsum::EinSum;

use crate::onnx::attrs::{self, AutoPad, ConstantValue, Window};
use crate::onnx::pb;

type Built = TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// The ONNX front end with only [`crate::onnx::operators::SUPPORTED`] registered.
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
        let axis = attrs::flatten_axis(&ours(node)?).map_err(|e| format_err!("{e}"))?;
        // ONNX allows axis in [-r, r].
        Ok((
            ranked(ops::array::Flatten::new(axis), axis.unsigned_abs() as usize, false),
            vec![],
        ))
    });
    reg.insert("Reshape", |_, node| {
        let allowzero = attrs::reshape_allowzero(&ours(node)?).map_err(|e| format_err!("{e}"))?;
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
    // float16 and int8 weights reach the layers through a Cast to float32 (folded when optimising).
    reg.insert("Cast", |_, node| {
        let to = attrs::cast_to(&ours(node)?).map_err(|e| format_err!("{e}"))?;
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

/// tract's node as our schema's, so its attributes are read by [`crate::onnx::attrs`].
fn ours(node: &NodeProto) -> TractResult<pb::NodeProto> {
    let bytes = prost::Message::encode_to_vec(node);
    <pb::NodeProto as prost::Message>::decode(&bytes[..]).map_err(|e| format_err!("node `{}`: {e}", node.name))
}

fn identity(_: &ParsingContext, _: &NodeProto) -> Built {
    Ok((Box::<ops::identity::Identity>::default(), vec![]))
}

fn constant(ctx: &ParsingContext, node: &NodeProto) -> Built {
    let parsed = ours(node)?;
    let value = match ConstantValue::parse(&parsed).map_err(|e| format_err!("{e}"))? {
        // tract's own tensor loader, as for the initializers it loads on this path.
        ConstantValue::Tensor(_) => {
            let t = node
                .attribute
                .iter()
                .find(|a| a.name == "value")
                .and_then(|a| a.t.as_ref())
                .context("a Constant node's value holds no tensor")?;
            ctx.load_tensor(t)?
        }
        ConstantValue::Float(v) => tensor0(v),
        ConstantValue::Floats(v) => tensor1(v),
        ConstantValue::Int(v) => tensor0(v),
        ConstantValue::Ints(v) => tensor1(v),
    };
    Ok((Box::new(ops::konst::Const::new(value.into_arc_tensor())?), vec![]))
}

/// tract's padding for a window (pools round by ONNX's pool rules, with `ceil_mode`).
fn padding(window: &Window, pool_rules: bool, ceil_mode: bool) -> cnn::PaddingSpec {
    let default = match &window.kernel_shape {
        Some(shape) if pool_rules => {
            cnn::PaddingSpec::ExplicitOnnxPool(tvec!(0; shape.len()), tvec!(0; shape.len()), ceil_mode)
        }
        Some(shape) => cnn::PaddingSpec::Explicit(tvec!(0; shape.len()), tvec!(0; shape.len())),
        None => cnn::PaddingSpec::Valid,
    };
    if let Some(pads) = &window.pads {
        let len = pads.len();
        let left = pads.iter().cloned().take(len / 2).collect();
        let right = pads.iter().cloned().skip(len / 2).collect();
        return if pool_rules {
            cnn::PaddingSpec::ExplicitOnnxPool(left, right, ceil_mode)
        } else {
            cnn::PaddingSpec::Explicit(left, right)
        };
    }
    match window.auto_pad {
        AutoPad::NotSet => default,
        AutoPad::Valid => cnn::PaddingSpec::Valid,
        AutoPad::SameUpper => cnn::PaddingSpec::SameUpper,
        AutoPad::SameLower => cnn::PaddingSpec::SameLower,
    }
}

fn conv(_: &ParsingContext, node: &NodeProto) -> Built {
    let parsed = attrs::Conv::parse(&ours(node)?).map_err(|e| format_err!("{e}"))?;
    let window = &parsed.window;
    let mut op = ops::cnn::Conv::default().padding(padding(window, false, false));
    if let Some(kernel_shape) = &window.kernel_shape {
        op = op.kernel_shape(kernel_shape.iter().copied().collect());
    }
    op = op.group(parsed.group);
    if let Some(v) = &window.dilations {
        op = op.dilations(v.iter().copied().collect());
    }
    if let Some(v) = &window.strides {
        op = op.strides(v.iter().copied().collect());
    }
    if node.input.len() == 3 {
        op = op.bias_input(2);
    }
    // Without spatial attributes, tract takes the axes from the weights: at least one.
    // tract indexes the window's attributes by the input's axes: pin its rank first.
    let op = match window.rank {
        Some(rank) => ranked(op, rank + 2, true),
        None => ranked(op, 3, false),
    };
    Ok((op, vec![]))
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

fn pool_spec(node: &NodeProto) -> TractResult<(cnn::PoolSpec, attrs::Pool)> {
    let parsed = attrs::Pool::parse(&ours(node)?).map_err(|e| format_err!("{e}"))?;
    let window = &parsed.window;
    let kernel_shape = window
        .kernel_shape
        .clone()
        .with_context(|| format!("{} `{}` has no kernel_shape", node.op_type, node.name))?;
    let spec = cnn::PoolSpec::new(
        nn::DataFormat::NCHW,
        kernel_shape.into_iter().collect(),
        padding(window, true, parsed.ceil_mode),
        window.dilations.as_ref().map(|v| v.iter().copied().collect()),
        window.strides.as_ref().map(|v| v.iter().copied().collect()),
        0,
        0,
    );
    Ok((spec, parsed))
}

fn max_pool(_: &ParsingContext, node: &NodeProto) -> Built {
    if node.output.iter().filter(|o| !o.is_empty()).count() > 1 {
        bail!("MaxPool with an Indices output is not supported");
    }
    let (spec, parsed) = pool_spec(node)?;
    Ok((spatial(cnn::HirMaxPool::new(spec, None), parsed.window.rank), vec![]))
}

fn average_pool(_: &ParsingContext, node: &NodeProto) -> Built {
    let (spec, parsed) = pool_spec(node)?;
    Ok((
        spatial(
            cnn::HirSumPool::new(spec, parsed.count_include_pad, true),
            parsed.window.rank,
        ),
        vec![],
    ))
}

fn softmax(ctx: &ParsingContext, node: &NodeProto) -> Built {
    let axis = attrs::softmax_axis(&ours(node)?, ctx.onnx_operator_set_version).map_err(|e| format_err!("{e}"))?;
    // ONNX allows axis in [-r, r-1].
    let rank = if axis < 0 {
        axis.unsigned_abs() as usize
    } else {
        axis as usize + 1
    };
    let axis = axis as isize;
    if ctx.onnx_operator_set_version < 13 {
        Ok((ranked(ops::nn::LayerSoftmax::new(axis, true), rank, false), vec![]))
    } else {
        Ok((ranked(ops::nn::Softmax::new(axis), rank, false), vec![]))
    }
}

fn gemm(_: &ParsingContext, node: &NodeProto) -> Built {
    let attrs = attrs::Gemm::parse(&ours(node)?).map_err(|e| format_err!("{e}"))?;
    Ok((expand(Gemm(attrs)), vec![]))
}

/// ONNX Gemm: `alpha * A' B' + beta * C`, as an einsum plus element-wise ops.
#[derive(Debug, Clone)]
struct Gemm(attrs::Gemm);

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
        let (ca, ra) = if self.0.trans_a { (0, 1) } else { (1, 0) };
        let (cb, rb) = if self.0.trans_b { (0, 1) } else { (1, 0) };
        s.equals(&inputs[0].shape[ra], &outputs[0].shape[0])?;
        s.equals(&inputs[0].shape[ca], &inputs[1].shape[rb])?;
        s.equals(&inputs[1].shape[cb], &outputs[0].shape[1])?;
        Ok(())
    }

    fn wire(&self, name: &str, model: &mut TypedModel, inputs: &[OutletId]) -> TractResult<TVec<OutletId>> {
        let (a, b, c) = (inputs[0], inputs[1], inputs.get(2));
        let axes = AxesMapping::for_numpy_matmul(2, self.0.trans_a, self.0.trans_b, false)?;
        let mut wire = model.wire_node(
            format!("{name}.ab"),
            EinSum::new(axes, model.outlet_fact(a)?.datum_type),
            [a, b].as_ref(),
        )?[0];
        if self.0.alpha != 1.0 {
            let alpha = tensor0(self.0.alpha).broadcast_into_rank(model.outlet_fact(wire)?.rank())?;
            let alpha = model.add_const(format!("{name}.alpha_ab.cst"), alpha)?;
            wire = model.wire_node(format!("{name}.alpha_ab"), ops::math::mul(), &[alpha, wire])?[0];
        }
        if let Some(&c) = c.filter(|_| self.0.beta != 0.0) {
            let mut c = c;
            while model.outlet_fact(wire)?.rank() > model.outlet_fact(c)?.rank() {
                c = model.wire_node(
                    format!("{}.c_add_axis_{}", name, model.outlet_fact(c)?.rank()),
                    AxisOp::Add(0),
                    &[c],
                )?[0];
            }
            if self.0.beta != 1.0 {
                let beta = tensor0(self.0.beta).broadcast_into_rank(model.outlet_fact(wire)?.rank())?;
                let beta = model.add_const(format!("{name}.beta_c.cst"), beta)?;
                c = model.wire_node(format!("{name}.beta_c"), ops::math::mul(), &[beta, c])?[0];
            }
            wire = model.wire_node(name, ops::math::add(), &[wire, c])?[0];
        }
        Ok(tvec!(wire))
    }
}
