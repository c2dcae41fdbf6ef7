//! How much work and memory a model asks for, computed from its shapes before anything is
//! planned or run, and refused beyond limits that are generous for LeNet-like networks: a file
//! of a few hundred bytes can describe a convolution over a 6,000-pixel padded image, which
//! would freeze the page for seconds and hold gigabytes of memory it never gives back. One
//! check for every path: the direct plan and the fine-tuner (from [`super::Layers`]), tract's
//! general path (from its typed graph, before it is optimised or planned).

use crate::error::Error;

/// LeNet-5's multiply-adds for one digit: C1 117,600 + C3 240,000 (every map to every map) +
/// C5 48,000 + F6 10,080 + output 840.
pub const LENET5_MACS: u64 = 416_520;
/// Most multiply-adds a model may ask for per digit: 50 LeNet-5s (about 4 ms in the browser).
pub const MAX_MACS: u64 = 50 * LENET5_MACS;
/// Largest activation of one layer, in float32 values (64 MB).
pub const MAX_ACTIVATION: u64 = 1 << 24;
/// Largest value of a window attribute (kernel size, stride, dilation, pad) or a group count:
/// far beyond any digit network, far below anything that overflows shape arithmetic.
pub const MAX_WINDOW: usize = 4096;

/// What one layer costs for one digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cost {
    /// The layer's name (the ONNX node's, or the engine's).
    pub layer: String,
    /// The operator, for the message.
    pub op: String,
    pub macs: u64,
    /// Values in its output.
    pub values: u64,
}

/// Refuses a model whose layers ask for more than [`MAX_MACS`] in all or more than
/// [`MAX_ACTIVATION`] values in one output, naming the layer that does.
pub fn check(costs: impl IntoIterator<Item = Cost>) -> Result<(), Error> {
    let mut total = 0u64;
    let mut biggest: Option<Cost> = None;
    for cost in costs {
        if cost.values > MAX_ACTIVATION {
            return Err(Error::Model(format!(
                "the layer `{}` ({}) computes {} values for one digit, more than the {} this recognizer allows (64 MB)",
                cost.layer, cost.op, cost.values, MAX_ACTIVATION
            )));
        }
        total = total.saturating_add(cost.macs);
        if biggest.as_ref().is_none_or(|b| cost.macs > b.macs) {
            biggest = Some(cost);
        }
    }
    if total > MAX_MACS {
        let b = biggest.unwrap_or_else(|| Cost {
            layer: "?".into(),
            op: "?".into(),
            macs: 0,
            values: 0,
        });
        return Err(Error::Model(format!(
            "the model asks for {total} multiply-adds per digit, more than {MAX_MACS} (50 LeNet-5s); the layer `{}` ({}) alone asks for {}",
            b.layer, b.op, b.macs
        )));
    }
    Ok(())
}

/// The product of `dims`, saturating (sizes come from a model file).
pub fn volume(dims: impl IntoIterator<Item = u64>) -> u64 {
    dims.into_iter().fold(1u64, |a, d| a.saturating_mul(d))
}
