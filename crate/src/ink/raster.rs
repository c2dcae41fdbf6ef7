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
use super::{greater, lesser};

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
        let pts = straighten(&pts);
        match pts.as_slice() {
            [] => {}
            [p] => segment(&mut out, w, h, *p, *p, radius),
            _ => pts.windows(2).for_each(|s| segment(&mut out, w, h, s[0], s[1], radius)),
        }
    }
    out
}

/// How far (grid pixels) [`straighten`] lets a path stray: each pixel's coverage moves by at
/// most this much.
const STRAY: f32 = 0.05;

/// Longest run of points one straight segment may replace (bounds the checks).
const RUN: usize = 64;

/// The path with the points dropped that lie within [`STRAY`] of the straight segment between
/// the points kept either side. A pen reports a point every few canvas pixels, a fraction of a
/// pixel once framed; each segment costs its box of pixels, so a smooth curve drawn as a few
/// longer chords costs a fraction of one drawn point to point, and looks the same (the new
/// path stays within [`STRAY`] of the old, corners kept).
fn straighten(pts: &[Point]) -> Vec<Point> {
    let Some(&first) = pts.first() else {
        return Vec::new();
    };
    let mut kept = vec![first];
    let mut anchor = 0;
    let mut end = 1;
    while end < pts.len() {
        // Extend the chord from `anchor` while every point it skips stays near it.
        let fits = |to: usize| to - anchor <= RUN && pts[anchor + 1..to].iter().all(|&q| near(pts[anchor], pts[to], q));
        let mut to = end;
        while to + 1 < pts.len() && fits(to + 1) {
            to += 1;
        }
        kept.push(pts[to]);
        anchor = to;
        end = to + 1;
    }
    kept
}

/// Whether `q` lies within [`STRAY`] of the segment `a`-`b`.
fn near(a: Point, b: Point, q: Point) -> bool {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let (px, py) = (q.x - a.x, q.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        ((px * dx + py * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (px - t * dx, py - t * dy);
    ex * ex + ey * ey <= STRAY * STRAY
}

/// One round-capped segment into `out`. Under V8 this loop is most of a stroke reading's
/// framing, so it visits only the box of pixels whose centres the stroke can reach (within
/// `r + 0.5`, a hundredth of a pixel spare for rounding; the rest would get coverage 0), and
/// the row loop is written for the compiler to vectorise (a row slice, no branch per pixel,
/// the division hoisted).
fn segment(out: &mut [f32], w: usize, h: usize, a: Point, b: Point, r: f32) {
    let reach = r + 0.01;
    let x0 = greater((lesser(a.x, b.x) - reach).floor(), 0.0);
    let y0 = greater((lesser(a.y, b.y) - reach).floor(), 0.0);
    let x1 = lesser((greater(a.x, b.x) + reach).ceil(), w as f32);
    let y1 = lesser((greater(a.y, b.y) + reach).ceil(), h as f32);
    if !(x0 < x1 && y0 < y1) {
        return;
    }
    let (x0, x1) = (x0 as usize, x1 as usize);
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    // A point (len2 = 0) projects to t = 0.
    let inv = if len2 > 0.0 { 1.0 / len2 } else { 0.0 };
    let edge = r + 0.5;
    for y in y0 as usize..y1 as usize {
        let py = y as f32 + 0.5 - a.y;
        let Some(row) = out.get_mut(y * w + x0..y * w + x1) else {
            return; // unreachable: the box is clipped to the grid
        };
        for (i, slot) in row.iter_mut().enumerate() {
            let px = (x0 + i) as f32 + 0.5 - a.x;
            let t = ((px * dx + py * dy) * inv).clamp(0.0, 1.0);
            let (ex, ey) = (px - t * dx, py - t * dy);
            let c = (edge - (ex * ex + ey * ey).sqrt()).clamp(0.0, 1.0);
            *slot = if c > *slot { c } else { *slot };
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
    small.iter_mut().for_each(|v| *v = lesser(*v * norm, 1.0));
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

#[cfg(test)]
mod tests {
    use rand::RngExt;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// The same coverage computed at every pixel of the grid, nothing skipped.
    fn everywhere(w: usize, h: usize, a: Point, b: Point, r: f32) -> Vec<f32> {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        let inv = if len2 > 0.0 { 1.0 / len2 } else { 0.0 };
        let mut out = vec![0f32; w * h];
        for y in 0..h {
            for x in 0..w {
                let (px, py) = (x as f32 + 0.5 - a.x, y as f32 + 0.5 - a.y);
                let t = ((px * dx + py * dy) * inv).clamp(0.0, 1.0);
                let (ex, ey) = (px - t * dx, py - t * dy);
                out[y * w + x] = (r + 0.5 - (ex * ex + ey * ey).sqrt()).clamp(0.0, 1.0);
            }
        }
        out
    }

    #[test]
    fn a_segment_inks_every_pixel_its_formula_reaches_and_no_other() {
        let mut rng = ChaCha8Rng::seed_from_u64(17);
        let (w, h) = (40, 40);
        let mut inked = 0;
        for i in 0..3000 {
            let mut q = || Point {
                x: rng.random_range(-4.0..44.0),
                y: rng.random_range(-4.0..44.0),
            };
            let a = q();
            // Long, short, a point, horizontal and vertical segments.
            let b = match i % 5 {
                0 => a,
                1 => Point { x: q().x, y: a.y },
                2 => Point { x: a.x, y: q().y },
                3 => Point {
                    x: a.x + rng.random_range(-0.6..0.6),
                    y: a.y + rng.random_range(-0.6..0.6),
                },
                _ => q(),
            };
            let r = rng.random_range(0.2..7.0);
            let mut out = vec![0f32; w * h];
            segment(&mut out, w, h, a, b, r);
            let want = everywhere(w, h, a, b, r);
            inked += usize::from(want.iter().any(|&v| v > 0.0));
            for (k, (got, want)) in out.iter().zip(&want).enumerate() {
                assert_eq!(got.to_bits(), want.to_bits(), "pixel {k} of {a:?}–{b:?}, radius {r}");
            }
        }
        assert!(inked > 2000, "only {inked} segments reached the grid");
    }

    #[test]
    fn straightened_paths_ink_within_the_stray_of_the_drawn_ones_with_fewer_segments() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (w, h) = (40, 40);
        let (mut before, mut after) = (0, 0);
        for _ in 0..200 {
            // A pen path as a page reports it: a point every 0.3-0.6 grid pixels along a
            // curve of changing bend, with a sharp corner now and then.
            let mut q = Point {
                x: rng.random_range(8.0..32.0),
                y: rng.random_range(8.0..32.0),
            };
            let mut heading: f32 = rng.random_range(0.0..6.3);
            let bend = rng.random_range(-0.3..0.3);
            let mut pts = vec![q];
            for i in 0..rng.random_range(20..120) {
                heading += if i % 37 == 36 {
                    2.0
                } else {
                    bend * rng.random_range(0.0..1.0)
                };
                let step = rng.random_range(0.3..0.6);
                q = Point {
                    x: q.x + step * heading.cos(),
                    y: q.y + step * heading.sin(),
                };
                pts.push(q);
            }
            let r = rng.random_range(0.5..4.0);
            let draw = |path: &[Point]| {
                let mut out = vec![0f32; w * h];
                path.windows(2).for_each(|s| segment(&mut out, w, h, s[0], s[1], r));
                out
            };
            let (got, want) = (draw(&straighten(&pts)), draw(&pts));
            for (k, (g, v)) in got.iter().zip(&want).enumerate() {
                assert!((g - v).abs() <= STRAY + 1e-4, "pixel {k}: {g} straightened, {v} drawn");
            }
            before += pts.len();
            after += straighten(&pts).len();
            assert_eq!(straighten(&pts).last(), pts.last(), "the path's end stays");
        }
        assert!(after * 2 < before, "{before} points straightened to {after}");
    }
}
