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
