//! Pen paths as the page records them: each stroke a list of points from pen-down to pen-up,
//! in the units of the surface drawn on (CSS pixels on the page), with a time per point where
//! the page has one. Parsed from flat arrays and checked here, once: every other module takes
//! [`Stroke`]s that hold only finite, bounded numbers.

use super::{greater, lesser};
use crate::error::Error;

/// Most points in one drawing (a minute of drawing at 240 events a second is 15,000).
pub const MAX_POINTS: usize = 1 << 20;
/// Most strokes in one drawing.
pub const MAX_STROKES: usize = 10_000;
/// Largest coordinate accepted, in either direction: beyond any screen.
pub const MAX_COORD: f32 = 1e6;
/// Widest pen accepted, in the strokes' units.
pub const MAX_PEN: f32 = 1e5;

/// A point of a pen path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// One pen-down-to-pen-up path.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stroke {
    pub points: Vec<Point>,
    /// When each point was drawn (milliseconds, any origin), if known: empty or one per point.
    pub times: Vec<f32>,
}

impl Stroke {
    /// A stroke from `x, y` pairs (`stride` 2) or `x, y, t` triples (`stride` 3).
    pub fn from_flat(values: &[f32], stride: usize) -> Result<Stroke, Error> {
        if stride != 2 && stride != 3 {
            return Err(Error::Input(format!(
                "a stroke's values come in pairs (x, y) or triples (x, y, t), not groups of {stride}"
            )));
        }
        if !values.len().is_multiple_of(stride) {
            return Err(Error::Input(format!(
                "a stroke holds {} values, not a multiple of {stride}",
                values.len()
            )));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::Input(format!(
                "a stroke holds a non-finite value ({}) at index {i}",
                values[i]
            )));
        }
        let points: Vec<Point> = values
            .chunks_exact(stride)
            .map(|p| Point { x: p[0], y: p[1] })
            .collect();
        if points.iter().any(|p| p.x.abs() > MAX_COORD || p.y.abs() > MAX_COORD) {
            return Err(Error::Input(format!(
                "a stroke reaches beyond ±{MAX_COORD} (coordinates are in pixels)"
            )));
        }
        let times = if stride == 3 {
            values.chunks_exact(3).map(|p| p[2]).collect()
        } else {
            Vec::new()
        };
        Ok(Stroke { points, times })
    }

    /// A stroke of points without times.
    pub fn new(points: Vec<Point>) -> Stroke {
        Stroke {
            points,
            times: Vec::new(),
        }
    }

    /// When the pen went down and up, if known.
    pub fn span_in_time(&self) -> Option<(f32, f32)> {
        Some((*self.times.first()?, *self.times.last()?))
    }
}

/// Checks a whole drawing: at most [`MAX_STROKES`] strokes and [`MAX_POINTS`] points, and a pen
/// width that is finite, positive and at most [`MAX_PEN`].
pub fn check(strokes: &[Stroke], pen_width: f32) -> Result<(), Error> {
    if strokes.len() > MAX_STROKES {
        return Err(Error::Input(format!(
            "{} strokes: at most {MAX_STROKES} are read",
            strokes.len()
        )));
    }
    let points: usize = strokes.iter().map(|s| s.points.len()).sum();
    if points > MAX_POINTS {
        return Err(Error::Input(format!("{points} points: at most {MAX_POINTS} are read")));
    }
    if !(pen_width.is_finite() && pen_width > 0.0 && pen_width <= MAX_PEN) {
        return Err(Error::Input(format!(
            "the pen width must be a number above 0 and at most {MAX_PEN}, not {pen_width}"
        )));
    }
    if let Some(s) = strokes
        .iter()
        .find(|s| !s.times.is_empty() && s.times.len() != s.points.len())
    {
        return Err(Error::Input(format!(
            "a stroke has {} times for {} points",
            s.times.len(),
            s.points.len()
        )));
    }
    Ok(())
}

/// The box of a set of points: `(x0, y0, x1, y1)`, or `None` without points.
pub fn bounds<'a>(points: impl IntoIterator<Item = &'a Point>) -> Option<[f32; 4]> {
    points.into_iter().fold(None, |b, p| {
        Some(match b {
            None => [p.x, p.y, p.x, p.y],
            Some([x0, y0, x1, y1]) => [lesser(x0, p.x), lesser(y0, p.y), greater(x1, p.x), greater(y1, p.y)],
        })
    })
}
