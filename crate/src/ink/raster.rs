//! The one stroke rasteriser: pen paths → ink, anti-aliased, as a canvas draws them (round caps
//! and joins, coverage by distance from each pixel centre). The page's stroke readings, the
//! native tests' drawings and the trainer's synthetic digits are all drawn by [`cover`], so what
//! the network sees in training and on the page comes from the same code.
//!
//! [`frame_strokes`] draws a digit's strokes straight into the MNIST frame: the box of the
//! points (plus the pen) scaled so its longer side is 20 px, the pen drawn at the thickness MNIST
//! digits have, the centre of mass at the centre of the 28x28 field, padded to 32x32. The cost
//! follows the number of points (each segment touches a few frame pixels), not the canvas: the
//! same at any device pixel ratio.

use super::preprocess::{BOX, Framed, Rect, centre_by_mass};
use super::strokes::{Point, Stroke, bounds};

/// Thinnest stroke drawn in the 20 px box, in pixels: MNIST's pen strokes are about 2-3 px
/// wide there, and a fine pen on a large drawing would otherwise be a faint hairline.
pub const MIN_STROKE: f32 = 2.0;
/// Boldest stroke drawn in the 20 px box: a marker on a small drawing would otherwise fill
/// the digit's holes.
pub const MAX_STROKE: f32 = 4.0;

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
        let pts: Vec<Point> = stroke.points.iter().map(|&p| place.apply(p)).collect();
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
/// MNIST was made: `None` if there are no points. `rect` is the ink's box in the strokes' units
/// (rounded out to whole pixels, clipped at 0).
pub fn frame_strokes<'a>(strokes: impl IntoIterator<Item = &'a Stroke> + Clone, pen_width: f32) -> Option<Framed> {
    let [x0, y0, x1, y1] = bounds(strokes.clone().into_iter().flat_map(|s| &s.points))?;
    let longest = (x1 - x0).max(y1 - y0);
    // The longer side of the ink, pen included, becomes 20 px; the pen is drawn at a thickness
    // within MNIST's, and the scale is then solved again so the ink still fits 20 px.
    let box_px = BOX as f32;
    let mut scale = box_px / (longest + pen_width);
    let mut stroke = pen_width * scale;
    if !(MIN_STROKE..=MAX_STROKE).contains(&stroke) {
        stroke = stroke.clamp(MIN_STROKE, MAX_STROKE);
        if longest > 0.0 {
            scale = (box_px - stroke) / longest;
        }
    }
    let nw = (((x1 - x0) * scale + stroke).round() as usize).clamp(1, BOX);
    let nh = (((y1 - y0) * scale + stroke).round() as usize).clamp(1, BOX);
    let half = stroke / 2.0;
    // Centre the path in the nw x nh grid (rounding may have taken a fraction of a pixel).
    let origin = Point {
        x: x0 - (nw as f32 - (x1 - x0) * scale) / 2.0 / scale,
        y: y0 - (nh as f32 - (y1 - y0) * scale) / 2.0 / scale,
    };
    let small = cover(strokes, Placement { origin, scale }, half, nw, nh);
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
