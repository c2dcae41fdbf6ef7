//! The one stroke rasteriser: pen paths → ink, anti-aliased, as a canvas draws them (round caps
//! and joins, coverage by distance from each pixel centre). The page's stroke readings, the
//! native tests' drawings and the trainer's synthetic digits are all drawn by [`cover`], so what
//! the network sees in training and on the page comes from the same code.
//!
//! [`frame_strokes`] draws a digit's strokes straight into the MNIST frame: the box of the
//! points (plus the pen) scaled so its longer side is 20 px, thin strokes restored to the
//! thickness MNIST digits have, the centre of mass at the centre of the 28x28 field, padded to
//! 32x32. The cost follows the number of points (each segment touches a few frame pixels), not
//! the canvas: the same at any device pixel ratio.

use super::preprocess::{BOX, Framed, Rect, centre_by_mass, restore_thin};
use super::strokes::{Point, Stroke, bounds};

/// Samples per pixel along each axis when a digit is drawn into the 20 px box: the strokes
/// are drawn this much finer and averaged down, so their edges are as soft as a canvas's
/// drawing area-averaged by the pixel path (2 matches it as closely as 4, at a quarter of the
/// cost).
const SUPERSAMPLE: usize = 2;

/// Where strokes land on a grid: grid = (point - origin) · scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub origin: Point,
    pub scale: f32,
}

impl Placement {
    /// Strokes drawn where they are (canvas pixels on a canvas grid).
    pub const IDENTITY: Placement = Placement {
        origin: Point { x: 0.0, y: 0.0 },
        scale: 1.0,
    };

    fn apply(&self, p: Point) -> Point {
        Point {
            x: (p.x - self.origin.x) * self.scale,
            y: (p.y - self.origin.y) * self.scale,
        }
    }
}

/// Ink coverage (0..1, row-major) of `strokes` on a `w` x `h` grid, each a round-capped path of
/// `radius` grid pixels: a pixel is covered by `radius + 0.5 - d`, clamped to 0..1, where `d`
/// is the distance from its centre to the nearest path (a canvas's anti-aliasing, to within a
/// few percent). Covers where several strokes meet take the largest, as ink does.
pub fn cover<'a>(
    strokes: impl IntoIterator<Item = &'a Stroke>,
    place: Placement,
    radius: f32,
    w: usize,
    h: usize,
) -> Vec<f32> {
    let mut out = vec![0f32; w * h];
    for stroke in strokes {
        // Points closer than a quarter pixel to the last one kept add nothing at this scale
        // (a long number framed into 20 px has several per pixel): the last point always stays.
        let mut pts: Vec<Point> = Vec::with_capacity(stroke.points.len());
        for (i, p) in stroke.points.iter().enumerate() {
            let q = place.apply(*p);
            let last = i + 1 == stroke.points.len();
            match pts.last() {
                Some(k) if !last && (q.x - k.x).abs() < 0.25 && (q.y - k.y).abs() < 0.25 => {}
                _ => pts.push(q),
            }
        }
        match pts.as_slice() {
            [] => {}
            [p] => segment(&mut out, w, h, *p, *p, radius),
            _ => pts.windows(2).for_each(|s| segment(&mut out, w, h, s[0], s[1], radius)),
        }
    }
    out
}

/// One round-capped segment into `out`.
fn segment(out: &mut [f32], w: usize, h: usize, a: Point, b: Point, r: f32) {
    let reach = r + 1.0;
    let x0 = (a.x.min(b.x) - reach).floor().max(0.0);
    let y0 = (a.y.min(b.y) - reach).floor().max(0.0);
    let x1 = (a.x.max(b.x) + reach).ceil().min(w as f32);
    let y1 = (a.y.max(b.y) + reach).ceil().min(h as f32);
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    for y in y0 as usize..y1 as usize {
        let py = y as f32 + 0.5;
        for x in x0 as usize..x1 as usize {
            let px = x as f32 + 0.5;
            let t = if len2 > 0.0 {
                (((px - a.x) * dx + (py - a.y) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let d = ((px - (a.x + t * dx)).powi(2) + (py - (a.y + t * dy)).powi(2)).sqrt();
            let c = (r + 0.5 - d).clamp(0.0, 1.0);
            let slot = &mut out[y * w + x];
            if c > *slot {
                *slot = c;
            }
        }
    }
}

/// The network input of `strokes` drawn with a pen `pen_width` wide (in the strokes' units), as
/// MNIST was made and as the pixel path frames a canvas (`preprocess::frame`): the ink's box, pen
/// included, scaled so its longer side is 20 px, drawn [`SUPERSAMPLE`] times finer and averaged
/// down, thin strokes restored as the pixel path restores them, the centre of mass at the centre
/// of the 28x28 field. `None` if there are no points. `rect` is the ink's box in the strokes'
/// units (rounded out to whole pixels, clipped at 0).
pub fn frame_strokes<'a>(strokes: impl IntoIterator<Item = &'a Stroke> + Clone, pen_width: f32) -> Option<Framed> {
    let [x0, y0, x1, y1] = bounds(strokes.clone().into_iter().flat_map(|s| &s.points))?;
    let (w, h) = (x1 - x0 + pen_width, y1 - y0 + pen_width);
    let scale = BOX as f32 / w.max(h);
    let nw = ((w * scale).round() as usize).clamp(1, BOX);
    let nh = ((h * scale).round() as usize).clamp(1, BOX);
    // Centre the ink in the nw x nh grid (rounding may have taken a fraction of a pixel).
    let origin = Point {
        x: x0 - pen_width / 2.0 - (nw as f32 / scale - w) / 2.0,
        y: y0 - pen_width / 2.0 - (nh as f32 / scale - h) / 2.0,
    };
    let ss = SUPERSAMPLE;
    let fine = cover(
        strokes,
        Placement {
            origin,
            scale: scale * ss as f32,
        },
        pen_width * scale * ss as f32 / 2.0,
        nw * ss,
        nh * ss,
    );
    let mut small = vec![0f32; nw * nh];
    for (y, row) in fine.chunks_exact(nw * ss).enumerate() {
        for (x, v) in row.iter().enumerate() {
            small[(y / ss) * nw + x / ss] += v;
        }
    }
    let norm = 1.0 / (ss * ss) as f32;
    small.iter_mut().for_each(|v| *v = (*v * norm).min(1.0));
    restore_thin(&mut small, nw, nh, pen_width * scale);
    let r = pen_width / 2.0;
    let left = (x0 - r).floor().max(0.0);
    let top = (y0 - r).floor().max(0.0);
    let rect = Rect {
        x: left as usize,
        y: top as usize,
        width: ((x1 + r).ceil() - left).max(1.0) as usize,
        height: ((y1 + r).ceil() - top).max(1.0) as usize,
    };
    Some(Framed {
        input: centre_by_mass(&small, nw, nh),
        rect,
    })
}
