//! The contract between the recognizer and any model it loads, ours or a user's, defined once:
//! input `input`, float32 `[N,1,32,32]` (0 = background, 1 = ink); output `probabilities`,
//! float32 `[N,10]`, a softmax. The trainer, the exporter, the loaders and the image pipeline
//! all take their sizes from here.

use crate::error::Error;

/// Side of the square network input.
pub const INPUT_SIDE: usize = 32;
/// Number of pixels in one network input.
pub const INPUT_LEN: usize = INPUT_SIDE * INPUT_SIDE;
/// Number of classes (digits 0-9).
pub const CLASSES: usize = 10;
/// Name of the input the contract requires.
pub const INPUT_NAME: &str = "input";
/// Name of the output the contract requires.
pub const OUTPUT_NAME: &str = "probabilities";

/// Largest tensor taken from a model file, in values (64 MB of float32). Sizes come from the
/// file, so every size computation is checked against it: nothing can overflow, even in 32-bit
/// WebAssembly, and no file makes us allocate gigabytes.
pub const MAX_VALUES: usize = 1 << 24;

/// The ONNX opset our exporter targets: the first with today's Softmax semantics over one axis.
pub const OPSET: i64 = 13;
/// The IR version matching opset 13 (ONNX 1.8).
pub const IR_VERSION: i64 = 7;

/// The product of `dims`, if it stays within [`MAX_VALUES`].
pub fn size_of(dims: &[usize]) -> Option<usize> {
    dims.iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|&n| n <= MAX_VALUES)
}

/// Checks one network input: [`INPUT_LEN`] finite values.
pub fn check_input(input: &[f32]) -> Result<(), Error> {
    if input.len() != INPUT_LEN {
        return Err(Error::Input(format!(
            "the network input must hold {INPUT_LEN} values (32x32), got {}",
            input.len()
        )));
    }
    if let Some(i) = input.iter().position(|v| !v.is_finite()) {
        return Err(Error::Input(format!(
            "the network input holds a non-finite value ({}) at index {i}",
            input[i]
        )));
    }
    Ok(())
}
