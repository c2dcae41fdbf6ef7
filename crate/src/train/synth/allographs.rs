//! Procedural digits in the forms people draw, including those MNIST's American writers rarely
//! used: 7 with a crossbar, 1 with a long flag (with and without a foot), open-topped 4, 9 with a
//! straight stem, 2 with a loop, 6 and 0 left open, 8 as one stroke or two loops. Each style is
//! a stroke model with random proportions; [`super::pen::by_hand`] adds slant, rotation, wobble
//! and point spacing. Stroke order and count follow how people write each form, because the
//! number reader groups strokes into digits.

use std::f32::consts::{FRAC_PI_2, PI, TAU};

use rand_chacha::ChaCha8Rng as R;

use super::pen::{Path, Paths, chance, u};

/// One way of writing a digit.
pub struct Style {
    pub digit: u8,
    /// Short name, for per-style reports (`7-crossed`).
    pub name: &'static str,
    pub draw: fn(&mut R) -> Paths,
}

/// Every style, the common forms first. Drawn uniformly: rare forms are over-represented on
/// purpose, since MNIST already holds the common ones by the thousand.
pub const STYLES: &[Style] = &[
    Style {
        digit: 0,
        name: "0-oval",
        draw: zero,
    },
    Style {
        digit: 0,
        name: "0-open",
        draw: zero_open,
    },
    Style {
        digit: 1,
        name: "1-stick",
        draw: one,
    },
    Style {
        digit: 1,
        name: "1-flag",
        draw: one_flag,
    },
    Style {
        digit: 1,
        name: "1-flag-foot",
        draw: one_flag_foot,
    },
    Style {
        digit: 2,
        name: "2-plain",
        draw: two,
    },
    Style {
        digit: 2,
        name: "2-loop",
        draw: two_loop,
    },
    Style {
        digit: 3,
        name: "3-round",
        draw: three,
    },
    Style {
        digit: 3,
        name: "3-flat-top",
        draw: three_flat,
    },
    Style {
        digit: 4,
        name: "4-closed",
        draw: four_closed,
    },
    Style {
        digit: 4,
        name: "4-open",
        draw: four_open,
    },
    Style {
        digit: 5,
        name: "5-two-strokes",
        draw: five,
    },
    Style {
        digit: 5,
        name: "5-one-stroke",
        draw: five_one,
    },
    Style {
        digit: 6,
        name: "6-plain",
        draw: six,
    },
    Style {
        digit: 6,
        name: "6-open",
        draw: six_open,
    },
    Style {
        digit: 6,
        name: "6-straight",
        draw: six_straight,
    },
    Style {
        digit: 7,
        name: "7-plain",
        draw: seven,
    },
    Style {
        digit: 7,
        name: "7-short-bar",
        draw: seven_short_bar,
    },
    Style {
        digit: 7,
        name: "7-crossed",
        draw: seven_crossed,
    },
    Style {
        digit: 7,
        name: "7-crossed-two-strokes",
        draw: seven_crossed_apart,
    },
    Style {
        digit: 8,
        name: "8-one-stroke",
        draw: eight,
    },
    Style {
        digit: 8,
        name: "8-two-loops",
        draw: eight_loops,
    },
    Style {
        digit: 9,
        name: "9-straight",
        draw: nine_straight,
    },
    Style {
        digit: 9,
        name: "9-curved",
        draw: nine_curved,
    },
    Style {
        digit: 9,
        name: "9-two-strokes",
        draw: nine_apart,
    },
];

/// Direction of travel round a loop: people go either way.
fn turn(rng: &mut R) -> f32 {
    if chance(rng, 0.75) { -1.0 } else { 1.0 }
}

fn zero(rng: &mut R) -> Paths {
    let (rx, ry) = (u(rng, 0.22, 0.42), u(rng, 0.44, 0.5));
    let start = -FRAC_PI_2 + u(rng, -0.5, 0.6);
    let sweep = TAU * u(rng, 1.0, 1.12) * turn(rng);
    vec![Path::default().arc(0.5, 0.5, rx, ry, start, start + sweep).done()]
}

fn zero_open(rng: &mut R) -> Paths {
    let (rx, ry) = (u(rng, 0.22, 0.4), u(rng, 0.44, 0.5));
    let start = -FRAC_PI_2 + u(rng, 0.25, 0.5);
    let sweep = TAU * u(rng, 0.86, 0.93);
    vec![Path::default().arc(0.5, 0.5, rx, ry, start, start + sweep).done()]
}

fn one(rng: &mut R) -> Paths {
    let top = u(rng, 0.0, 0.05);
    vec![Path::at(0.5 + u(rng, -0.03, 0.03), top).line(0.5, 1.0).done()]
}

fn flag(rng: &mut R) -> Path {
    // The flag falls at least 35 degrees: a hand turns a drawing by up to 12 (`Hand`) and a
    // short bar within 20 degrees of level is a 7's (`seven_short_bar`).
    let fx = u(rng, 0.12, 0.4);
    let fy = u(rng, (0.7 * fx).max(0.1), 0.45);
    Path::at(0.5 - fx, fy)
        .line(0.5, 0.0)
        .line(0.5 + u(rng, -0.04, 0.04), 1.0)
}

fn one_flag(rng: &mut R) -> Paths {
    vec![flag(rng).done()]
}

fn one_flag_foot(rng: &mut R) -> Paths {
    let w = u(rng, 0.15, 0.32);
    vec![
        flag(rng).done(),
        Path::at(0.5 - w, 1.0).line(0.5 + w * u(rng, 0.8, 1.2), 1.0).done(),
    ]
}

/// The top of a 2: a hook from the left over to the right and down towards the bottom left.
fn two_top(rng: &mut R) -> Path {
    let (rx, ry) = (u(rng, 0.26, 0.36), u(rng, 0.2, 0.3));
    let cy = ry + 0.0;
    Path::default().arc(0.5, cy, rx, ry, PI + u(rng, 0.1, 0.5), TAU + u(rng, 0.1, 0.5))
}

fn two(rng: &mut R) -> Paths {
    let curve = u(rng, -0.15, 0.2);
    let path = two_top(rng);
    let end = path.0.last().copied().unwrap_or(super::pen::p(0.8, 0.3));
    let (bx, by) = (u(rng, 0.1, 0.2), 1.0);
    let path = path
        .curve((end.x + bx) / 2.0 + curve, (end.y + by) / 2.0 + curve, bx, by)
        .line(u(rng, 0.8, 0.95), 1.0 + u(rng, -0.04, 0.04));
    vec![path.done()]
}

fn two_loop(rng: &mut R) -> Paths {
    let path = two_top(rng);
    let end = path.0.last().copied().unwrap_or(super::pen::p(0.8, 0.3));
    let r = u(rng, 0.06, 0.12);
    let path = path
        .curve((end.x + 0.2) / 2.0, (end.y + 0.85) / 2.0, 0.2, 1.0 - 2.0 * r)
        .arc(0.2 - r * 0.2, 1.0 - r, r * 1.2, r, -FRAC_PI_2, -FRAC_PI_2 - TAU * 0.85)
        .line(u(rng, 0.8, 0.95), 1.0);
    vec![path.done()]
}

fn lower_bowl(path: Path, rng: &mut R, cy: f32) -> Path {
    let (rx, ry) = (u(rng, 0.3, 0.4), 1.0 - cy);
    path.arc(
        0.5,
        cy,
        rx,
        ry,
        -FRAC_PI_2 - u(rng, 0.3, 0.7),
        FRAC_PI_2 + u(rng, 0.5, 1.2),
    )
}

fn three(rng: &mut R) -> Paths {
    let mid = u(rng, 0.42, 0.55);
    let (rx, ry) = (u(rng, 0.25, 0.36), mid / 2.0);
    let top = Path::default().arc(0.5, ry, rx, ry, -PI + u(rng, 0.1, 0.6), FRAC_PI_2 + u(rng, 0.1, 0.4));
    vec![lower_bowl(top, rng, (1.0 + mid) / 2.0).done()]
}

fn three_flat(rng: &mut R) -> Paths {
    let mid = u(rng, 0.38, 0.5);
    let top = Path::at(u(rng, 0.1, 0.25), 0.0)
        .line(u(rng, 0.75, 0.9), 0.0)
        .line(0.45, mid);
    vec![lower_bowl(top, rng, (1.0 + mid) / 2.0).done()]
}

fn four_closed(rng: &mut R) -> Paths {
    let (sx, bar) = (u(rng, 0.55, 0.72), u(rng, 0.55, 0.72));
    let first = Path::at(sx, 0.0)
        .line(u(rng, 0.0, 0.15), bar)
        .line(u(rng, 0.8, 1.0), bar);
    let second = Path::at(sx, u(rng, 0.0, 0.3)).line(sx + u(rng, -0.05, 0.05), 1.0);
    vec![first.done(), second.done()]
}

fn four_open(rng: &mut R) -> Paths {
    let bar = u(rng, 0.45, 0.65);
    let (left, stem) = (u(rng, 0.1, 0.25), u(rng, 0.6, 0.75));
    let first = Path::at(left + u(rng, 0.0, 0.1), 0.0)
        .line(left, bar)
        .line(u(rng, 0.85, 1.0), bar);
    let second = Path::at(stem, u(rng, 0.0, 0.1)).line(stem + u(rng, -0.05, 0.05), 1.0);
    if chance(rng, 0.3) {
        // Drawn in one go: down, across, then back up to the stem's top and down.
        let joined = first.line(stem, u(rng, 0.0, 0.1)).line(stem, 1.0);
        return vec![joined.done()];
    }
    vec![first.done(), second.done()]
}

fn five_body(rng: &mut R, left: f32) -> Path {
    let waist = u(rng, 0.35, 0.5);
    let cy = (1.0 + waist) / 2.0 + u(rng, 0.0, 0.04);
    Path::at(left, 0.0).line(left - u(rng, 0.0, 0.06), waist).arc(
        0.5,
        cy,
        u(rng, 0.3, 0.4),
        1.0 - cy,
        -PI + u(rng, 0.4, 0.9),
        FRAC_PI_2 + u(rng, 0.6, 1.2),
    )
}

fn five(rng: &mut R) -> Paths {
    let left = u(rng, 0.15, 0.3);
    let body = five_body(rng, left);
    let bar = Path::at(left + u(rng, -0.03, 0.03), u(rng, -0.02, 0.03)).line(u(rng, 0.75, 0.95), u(rng, -0.03, 0.02));
    vec![body.done(), bar.done()]
}

fn five_one(rng: &mut R) -> Paths {
    let left = u(rng, 0.15, 0.3);
    let body = five_body(rng, left);
    let mut path = Path::at(u(rng, 0.75, 0.95), 0.0).line(left, 0.0);
    path.0.extend(body.0);
    vec![path.done()]
}

fn six_body(rng: &mut R, top_x: f32) -> Path {
    let r = u(rng, 0.22, 0.32);
    let cy = 1.0 - r;
    Path::at(top_x, 0.0)
        .curve(u(rng, 0.05, 0.25), u(rng, 0.2, 0.4), 0.5 - r * 1.1, cy)
        .arc(0.5, cy, r * 1.1, r, PI, PI - TAU * u(rng, 0.8, 0.95))
}

fn six(rng: &mut R) -> Paths {
    let x = u(rng, 0.55, 0.8);
    vec![six_body(rng, x).done()]
}

fn six_straight(rng: &mut R) -> Paths {
    // A straight slanted top falling into the loop, as many print it.
    let r = u(rng, 0.22, 0.32);
    let cy = 1.0 - r;
    let rx = r * u(rng, 1.0, 1.3);
    let path = Path::at(u(rng, 0.6, 0.85), 0.0)
        .line(0.5 - rx * u(rng, 0.8, 1.0), cy - r * u(rng, 0.0, 0.5))
        .arc(0.5, cy, rx, r, PI + u(rng, -0.4, 0.0), PI - TAU * u(rng, 0.85, 1.0));
    vec![path.done()]
}

fn six_open(rng: &mut R) -> Paths {
    // Its loop stops short of the stem, leaving a gap on the upper left.
    let r = u(rng, 0.22, 0.32);
    let cy = 1.0 - r;
    let path = Path::at(u(rng, 0.55, 0.8), 0.0)
        .curve(u(rng, 0.05, 0.25), u(rng, 0.2, 0.4), 0.5 - r * 1.1, cy)
        .arc(0.5, cy, r * 1.1, r, PI, PI - TAU * u(rng, 0.6, 0.72));
    vec![path.done()]
}

/// A 7's bar and stem; returns the paths and where the stem crosses mid-height.
fn seven_body(rng: &mut R, apart: bool) -> (Paths, f32) {
    let (l, r) = (u(rng, 0.0, 0.15), u(rng, 0.85, 1.0));
    let foot = u(rng, 0.25, 0.5);
    let bend = u(rng, -0.12, 0.08);
    let mut start = Path::at(l, 0.0);
    if chance(rng, 0.25) {
        // A small tick down at the bar's left end.
        start = Path::at(l, u(rng, 0.1, 0.2)).line(l, 0.0);
    }
    let mid_x = (r + foot) / 2.0 + bend / 2.0;
    let paths = if apart {
        vec![
            start.line(r, 0.0).done(),
            Path::at(r, 0.0).curve(mid_x + bend, 0.5, foot, 1.0).done(),
        ]
    } else {
        vec![start.line(r, 0.0).curve(mid_x + bend, 0.5, foot, 1.0).done()]
    };
    (paths, mid_x)
}

fn seven(rng: &mut R) -> Paths {
    let apart = chance(rng, 0.2);
    seven_body(rng, apart).0
}

/// A 7 with a short, level bar and a steep stem, as many write it quickly: next to a flagged 1,
/// the bar's left end is as high as its right end, where a 1's flag hangs down.
fn seven_short_bar(rng: &mut R) -> Paths {
    let (l, r) = (u(rng, 0.2, 0.45), u(rng, 0.8, 0.95));
    let left_y = u(rng, -0.05, 0.06);
    let foot = u(rng, 0.45, 0.7);
    let bar = Path::at(l, left_y).line(r, 0.0);
    if chance(rng, 0.2) {
        return vec![bar.done(), Path::at(r, 0.0).line(foot, 1.0).done()];
    }
    vec![bar.curve((r + foot) / 2.0 + u(rng, -0.05, 0.05), 0.5, foot, 1.0).done()]
}

fn crossbar(rng: &mut R, x: f32) -> Vec<super::pen::Point> {
    let w = u(rng, 0.15, 0.3);
    let y = u(rng, 0.45, 0.58);
    Path::at(x - w, y + u(rng, -0.03, 0.03))
        .line(x + w * u(rng, 0.7, 1.2), y)
        .done()
}

fn seven_crossed(rng: &mut R) -> Paths {
    let (mut paths, x) = seven_body(rng, false);
    paths.push(crossbar(rng, x));
    paths
}

fn seven_crossed_apart(rng: &mut R) -> Paths {
    let (mut paths, x) = seven_body(rng, true);
    paths.push(crossbar(rng, x));
    paths
}

fn eight(rng: &mut R) -> Paths {
    // A vertical figure-eight: x = c + w·sin 2t, y from the top through the waist to the bottom.
    let (wt, wb) = (u(rng, 0.25, 0.38), u(rng, 0.3, 0.42));
    let waist = u(rng, 0.4, 0.5);
    let start = u(rng, -0.3, 0.3);
    let dir = turn(rng);
    let n = 160;
    let pts = (0..=n)
        .map(|i| {
            let t = start + dir * TAU * (i as f32 / n as f32) * 1.04;
            let (s2, c) = ((2.0 * t).sin(), t.cos());
            let lower = c < 0.0;
            let w = if lower { wb } else { wt };
            let y = if lower {
                waist + (1.0 - waist) * (-c)
            } else {
                waist * (1.0 - c)
            };
            super::pen::p(0.5 + w * s2, y)
        })
        .collect();
    vec![pts]
}

fn eight_loops(rng: &mut R) -> Paths {
    let waist = u(rng, 0.4, 0.5);
    let (rt, rb) = (u(rng, 0.22, 0.32), u(rng, 0.28, 0.4));
    let top = Path::default().arc(
        0.5,
        waist / 2.0,
        rt,
        waist / 2.0,
        FRAC_PI_2,
        FRAC_PI_2 + TAU * turn(rng),
    );
    let bottom = Path::default().arc(
        0.5,
        (1.0 + waist) / 2.0,
        rb,
        (1.0 - waist) / 2.0,
        -FRAC_PI_2,
        -FRAC_PI_2 + TAU * turn(rng),
    );
    vec![top.done(), bottom.done()]
}

fn nine_loop(rng: &mut R) -> (Path, f32, f32) {
    // From a head as wide as the digit to a small one, as a quick 9 has.
    let (rx, ry) = (u(rng, 0.17, 0.36), u(rng, 0.16, 0.28));
    let cx = u(rng, 0.4, 0.5);
    let right = cx + rx;
    let path = Path::default().arc(cx, ry, rx, ry, u(rng, -0.3, 0.2), -TAU * u(rng, 0.95, 1.05));
    (path, right, ry)
}

fn nine_straight(rng: &mut R) -> Paths {
    let (path, right, cy) = nine_loop(rng);
    vec![path.line(right, cy).line(right + u(rng, -0.12, 0.02), 1.0).done()]
}

fn nine_curved(rng: &mut R) -> Paths {
    let (path, right, cy) = nine_loop(rng);
    let end = u(rng, 0.1, 0.4);
    vec![
        path.line(right, cy)
            .curve(right + u(rng, -0.02, 0.05), 0.95, end, 1.0 - u(rng, 0.0, 0.08))
            .done(),
    ]
}

fn nine_apart(rng: &mut R) -> Paths {
    let (path, right, cy) = nine_loop(rng);
    let stem = Path::at(right, cy - u(rng, 0.0, 0.25)).line(right + u(rng, -0.1, 0.02), 1.0);
    vec![path.done(), stem.done()]
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn every_digit_has_styles_and_each_draws_finite_points_in_a_bounded_box() {
        for d in 0..10 {
            let styles = STYLES.iter().filter(|s| s.digit == d).count();
            assert!(styles >= 2, "digit {d} has fewer than two styles");
        }
        let mut rng = R::seed_from_u64(7);
        for style in STYLES {
            for _ in 0..20 {
                let paths = (style.draw)(&mut rng);
                assert!(!paths.is_empty(), "{} drew nothing", style.name);
                for q in paths.iter().flatten() {
                    assert!(q.x.is_finite() && q.y.is_finite(), "{}", style.name);
                    assert!(
                        (-0.6..=1.6).contains(&q.x) && (-0.6..=1.6).contains(&q.y),
                        "{} at {q:?}",
                        style.name
                    );
                }
            }
        }
    }
}
