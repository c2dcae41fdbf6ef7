//! ONNX `Relu` and `Softmax` on float32 as tract ops of our own, for the direct plan (`Tanh` and
//! `Sigmoid` are tract's own element-wise ops, with its SIMD kernels).

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::*;

/// ONNX `Relu` on float32.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct Relu;

super::single_input_op!(
    Relu,
    "Relu",
    |x: TValue| {
        let mut x = x.into_tensor();
        super::conv::relu(x.try_as_plain_ram_mut()?.as_slice_mut::<f32>()?);
        Ok(x)
    },
    super::same_float32
);

/// ONNX `Softmax` over the last axis of a float32 `[N, K]` tensor.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct Softmax;

super::single_input_op!(Softmax, "Softmax", softmax, super::same_float32);

fn softmax(x: TValue) -> TractResult<Tensor> {
    let mut x = x.into_tensor();
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
    Ok(x)
}
