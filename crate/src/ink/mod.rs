//! Ink: turning a drawing into what the network reads, without an engine.
//! Uses [`crate::onnx::contract`] (the input's size) and [`crate::error`] only.
//!
//! - [`strokes`]: pen paths as the page records them, parsed and checked;
//! - [`raster`]: the one stroke rasteriser (page, tests and trainer), and strokes → the
//!   MNIST-style 32x32 input;
//! - [`preprocess`]: canvas pixels → the same 32x32 input (crop, size-normalise, centre by the
//!   centre of mass), and the ink's connected components, for images;
//! - [`segment`]: a written number → its digits, from strokes or from pixels, given a way to
//!   read a candidate.

pub mod preprocess;
pub mod raster;
pub mod segment;
pub mod strokes;

/// The smaller of two numbers, by one comparison. Rust's `f32::min`/`f64::min` treat NaN as
/// IEEE minNum does, which WebAssembly has no instruction for: each is a call to `fminf` there,
/// and these run for every point and pixel of every live reading. Here the values are finite
/// (strokes are checked, coverage is computed from them), where both agree.
fn lesser<T: PartialOrd>(a: T, b: T) -> T {
    if b < a { b } else { a }
}

/// The larger of two numbers, by one comparison (see [`lesser`]).
fn greater<T: PartialOrd>(a: T, b: T) -> T {
    if b > a { b } else { a }
}

/// The length of `(dx, dy)`: `hypot` is a call in WebAssembly and guards against overflow
/// that distances between canvas points cannot reach.
fn length(dx: f64, dy: f64) -> f64 {
    (dx * dx + dy * dy).sqrt()
}
