//! Pen paths built from lines, arcs and curves in a unit box (x right, y down), and the ways a
//! person's hand varies them: slant, rotation, proportions, a slow wobble, the spacing of the
//! points a pointer reports.

use rand::{Rng, RngExt};

pub use crate::ink::strokes::Point;
use crate::ink::strokes::Stroke;

/// A drawing as the generators build it: strokes of points, before it becomes [`Stroke`]s.
pub type Paths = Vec<Vec<Point>>;

/// A point.
pub fn p(x: f32, y: f32) -> Point {
    Point { x, y }
}

/// One pen path under construction.
#[derive(Clone, Debug, Default)]
pub struct Path(pub Vec<Point>);

/// Points per unit of length when curves are flattened (fine enough for a 20 px box).
const DENSITY: f32 = 60.0;

impl Path {
    pub fn at(x: f32, y: f32) -> Path {
        Path(vec![p(x, y)])
    }

    fn last(&self) -> Point {
        self.0.last().copied().unwrap_or(p(0.0, 0.0))
    }

    /// A straight line to `(x, y)`.
    pub fn line(mut self, x: f32, y: f32) -> Path {
        let a = self.last();
        let n = ((a.x - x).hypot(a.y - y) * DENSITY).ceil().max(1.0) as usize;
        for i in 1..=n {
            let t = i as f32 / n as f32;
            self.0.push(p(a.x + (x - a.x) * t, a.y + (y - a.y) * t));
        }
        self
    }

    /// An elliptic arc around `(cx, cy)` with radii `rx, ry` from angle `a0` to `a1` (radians;
    /// 0 is right, π/2 is down); continues from the path's last point with a line if it is
    /// elsewhere.
    pub fn arc(mut self, cx: f32, cy: f32, rx: f32, ry: f32, a0: f32, a1: f32) -> Path {
        let at = |a: f32| p(cx + rx * a.cos(), cy + ry * a.sin());
        let start = at(a0);
        if self.0.is_empty() {
            self.0.push(start);
        } else {
            self = self.line(start.x, start.y);
        }
        let n = ((a1 - a0).abs() * rx.max(ry) * DENSITY).ceil().max(2.0) as usize;
        for i in 1..=n {
            self.0.push(at(a0 + (a1 - a0) * i as f32 / n as f32));
        }
        self
    }

    /// A quadratic Bézier curve through control point `(cx, cy)` to `(x, y)`.
    pub fn curve(mut self, cx: f32, cy: f32, x: f32, y: f32) -> Path {
        let a = self.last();
        let len = (a.x - cx).hypot(a.y - cy) + (cx - x).hypot(cy - y);
        let n = (len * DENSITY).ceil().max(2.0) as usize;
        for i in 1..=n {
            let t = i as f32 / n as f32;
            let u = 1.0 - t;
            self.0.push(p(
                u * u * a.x + 2.0 * u * t * cx + t * t * x,
                u * u * a.y + 2.0 * u * t * cy + t * t * y,
            ));
        }
        self
    }

    pub fn done(self) -> Vec<Point> {
        self.0
    }
}

/// A uniform draw from `lo..hi` (either order; equal bounds give that value).
pub fn u(rng: &mut impl Rng, lo: f32, hi: f32) -> f32 {
    let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if a == b { a } else { rng.random_range(a..b) }
}

/// True with probability `prob`.
pub fn chance(rng: &mut impl Rng, prob: f32) -> bool {
    rng.random::<f32>() < prob
}

/// How a hand varies a drawing: each field drawn uniformly from ±range.
#[derive(Clone, Copy, Debug)]
pub struct Hand {
    /// Horizontal shear (x += slant · (y - centre)); positive leans right.
    pub slant: f32,
    pub rotate_deg: f32,
    /// Width change (x scaled by 1 + aspect, y by 1 - aspect).
    pub aspect: f32,
    /// Amplitude of the slow wobble, in units of the drawing's size.
    pub wobble: f32,
}

impl Hand {
    pub const DEFAULT: Hand = Hand {
        slant: 0.35,
        rotate_deg: 12.0,
        aspect: 0.2,
        wobble: 0.025,
    };
}

/// `paths` slanted, rotated, squashed and wobbled as one person's hand would, resampled at a
/// random point spacing, as [`Stroke`]s.
pub fn by_hand(paths: &Paths, hand: &Hand, rng: &mut impl Rng) -> Vec<Stroke> {
    let slant = u(rng, -hand.slant, hand.slant) - 0.08; // people lean right more often
    let theta = u(rng, -hand.rotate_deg, hand.rotate_deg).to_radians();
    let a = u(rng, -hand.aspect, hand.aspect);
    let (c, s) = (theta.cos(), theta.sin());
    // A smooth random displacement field: two sine waves per axis.
    let waves: Vec<(f32, f32, f32)> = (0..4)
        .map(|_| (u(rng, 1.0, 4.0), u(rng, 0.0, std::f32::consts::TAU), u(rng, -1.0, 1.0)))
        .collect();
    let amp = u(rng, 0.0, hand.wobble);
    let spacing = u(rng, 0.004, 0.05);
    let centre = 0.5;
    paths
        .iter()
        .filter(|path| !path.is_empty())
        .map(|path| {
            let moved: Vec<Point> = path
                .iter()
                .map(|q| {
                    let (x, y) = (q.x - centre, q.y - centre);
                    let x = (x + slant * y) * (1.0 + a);
                    let y = y * (1.0 - a);
                    let (x, y) = (c * x - s * y, s * x + c * y);
                    let wx = waves[0].2 * (waves[0].0 * q.y + waves[0].1).sin()
                        + waves[1].2 * (waves[1].0 * q.x + waves[1].1).sin();
                    let wy = waves[2].2 * (waves[2].0 * q.x + waves[2].1).sin()
                        + waves[3].2 * (waves[3].0 * q.y + waves[3].1).sin();
                    p(x + amp * wx, y + amp * wy)
                })
                .collect();
            Stroke::new(resample(&moved, spacing))
        })
        .collect()
}

/// Points about `spacing` apart along a path (as a pointer reports them: sparser when the pen
/// moves fast); the first and last points stay.
pub fn resample(path: &[Point], spacing: f32) -> Vec<Point> {
    let Some(&first) = path.first() else {
        return Vec::new();
    };
    let mut out = vec![first];
    let mut carried = 0f32;
    for w in path.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = (b.x - a.x).hypot(b.y - a.y);
        let mut t = spacing - carried;
        while t <= len {
            let k = t / len;
            out.push(p(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k));
            t += spacing;
        }
        carried = len - (t - spacing);
    }
    let last = path[path.len() - 1];
    if out.last() != Some(&last) {
        out.push(last);
    }
    out
}

/// `paths` moved by `(dx, dy)` and scaled by `k` about the origin.
pub fn moved(paths: &Paths, dx: f32, dy: f32, k: f32) -> Paths {
    paths
        .iter()
        .map(|s| s.iter().map(|q| p(q.x * k + dx, q.y * k + dy)).collect())
        .collect()
}
