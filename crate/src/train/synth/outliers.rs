//! Drawings that are not one digit, for outlier exposure (Hendrycks et al., ICLR 2019): the
//! network is trained to answer them with the uniform distribution, so its top probability
//! stays low and the page says "not sure". Scribbles, doodles and shapes, letters and symbols,
//! two digits on top of each other. Shapes a digit is commonly drawn as (a plain ring, a single
//! line, an S) are left out on purpose: teaching "not a digit" on them would teach doubt on 0,
//! 1 and 5.

use std::f32::consts::{FRAC_PI_2, PI, TAU};

use rand::RngExt;
use rand_chacha::ChaCha8Rng as R;

use super::allographs::STYLES;
use super::pen::{Path, Paths, chance, moved, p, u};

/// The kinds, for per-kind reports.
pub const KINDS: &[&str] = &["scribble", "shape", "letter", "overlap"];

/// A non-digit of a random kind; returns the kind's index in [`KINDS`].
pub fn draw(rng: &mut R) -> (usize, Paths) {
    let k = rng.random_range(0..KINDS.len());
    let paths = match k {
        0 => scribble(rng),
        1 => shape(rng),
        2 => letter(rng),
        _ => overlap(rng),
    };
    (k, paths)
}

/// A random pen walk with smoothly changing heading, sometimes sharp reversals; 1-4 strokes.
pub fn scribble(rng: &mut R) -> Paths {
    let strokes = [1, 1, 1, 2, 3, 4][rng.random_range(0..6)];
    (0..strokes)
        .map(|_| {
            let mut q = p(u(rng, 0.1, 0.9), u(rng, 0.1, 0.9));
            let mut heading = u(rng, 0.0, TAU);
            let curl = u(rng, -1.5, 1.5);
            let sharp = chance(rng, 0.4);
            let steps = rng.random_range(15..60);
            let mut pts = vec![q];
            for i in 0..steps {
                heading += if sharp && i % rng.random_range(2..6) == 0 {
                    PI * u(rng, 0.5, 0.95) * if chance(rng, 0.5) { 1.0 } else { -1.0 }
                } else {
                    curl * u(rng, 0.1, 0.8) + u(rng, -0.4, 0.4)
                };
                let step = u(rng, 0.03, 0.1);
                q = p(
                    (q.x + step * heading.cos()).clamp(0.0, 1.0),
                    (q.y + step * heading.sin()).clamp(0.0, 1.0),
                );
                pts.push(q);
            }
            pts
        })
        .collect()
}

fn polygon(points: &[(f32, f32)], closed: bool) -> Vec<super::pen::Point> {
    let mut path = Path::at(points[0].0, points[0].1);
    for &(x, y) in &points[1..] {
        path = path.line(x, y);
    }
    if closed {
        path = path.line(points[0].0, points[0].1);
    }
    path.done()
}

/// Things people doodle.
pub fn shape(rng: &mut R) -> Paths {
    match rng.random_range(0..17) {
        0 => {
            // A five- or six-pointed star in one stroke.
            let n = if chance(rng, 0.7) { 5 } else { 7 };
            let step = if n == 5 { 2 } else { 3 };
            let a0 = -FRAC_PI_2 + u(rng, -0.2, 0.2);
            let pts: Vec<(f32, f32)> = (0..=n)
                .map(|i| {
                    let a = a0 + TAU * ((i * step) % n) as f32 / n as f32;
                    (0.5 + 0.5 * a.cos(), 0.5 + 0.5 * a.sin())
                })
                .collect();
            vec![polygon(&pts, false)]
        }
        1 => {
            // A spiral of 2.5-4 turns (fewer is a curl, which is how a 6 or a 9 starts).
            let turns = u(rng, 2.5, 4.0);
            let dir = if chance(rng, 0.5) { 1.0 } else { -1.0 };
            let n = (turns * 60.0) as usize;
            vec![
                (0..=n)
                    .map(|i| {
                        let t = i as f32 / n as f32;
                        let a = dir * TAU * turns * t;
                        p(0.5 + 0.5 * t * a.cos(), 0.5 + 0.5 * t * a.sin())
                    })
                    .collect(),
            ]
        }
        2 => {
            // A hash: two near-vertical and two near-horizontal lines.
            let (a, b) = (u(rng, 0.2, 0.4), u(rng, 0.6, 0.8));
            vec![
                polygon(&[(a + 0.1, 0.0), (a - 0.05, 1.0)], false),
                polygon(&[(b + 0.1, 0.0), (b - 0.05, 1.0)], false),
                polygon(&[(0.0, a), (1.0, a - 0.03)], false),
                polygon(&[(0.0, b), (1.0, b - 0.03)], false),
            ]
        }
        3 => {
            // A triangle.
            let apex = u(rng, 0.2, 0.8);
            vec![polygon(&[(apex, 0.0), (1.0, u(rng, 0.8, 1.0)), (0.0, 1.0)], true)]
        }
        4 => {
            // A heart.
            let top = Path::at(0.5, 0.3)
                .arc(0.28, 0.28, 0.22, 0.2, 0.0, -PI)
                .line(0.5, 1.0)
                .line(0.94, 0.3)
                .arc(0.72, 0.28, 0.22, 0.2, 0.0, -PI);
            vec![top.done()]
        }
        5 => {
            // An arrow pointing anywhere.
            let a = u(rng, 0.0, TAU);
            let (dx, dy) = (a.cos() * 0.5, a.sin() * 0.5);
            let tip = (0.5 + dx, 0.5 + dy);
            let back = |da: f32| (tip.0 - 0.25 * (a + da).cos(), tip.1 - 0.25 * (a + da).sin());
            vec![
                polygon(&[(0.5 - dx, 0.5 - dy), tip], false),
                polygon(&[back(0.5), tip, back(-0.5)], false),
            ]
        }
        6 => {
            // A smiley: a face, two eyes, a mouth.
            vec![
                Path::default().arc(0.5, 0.5, 0.5, 0.5, 0.0, TAU).done(),
                Path::at(0.35, 0.35).line(0.35, 0.4).done(),
                Path::at(0.65, 0.35).line(0.65, 0.4).done(),
                Path::default().arc(0.5, 0.55, 0.25, 0.2, 0.3, PI - 0.3).done(),
            ]
        }
        7 => {
            // A tick.
            vec![polygon(
                &[(0.0, u(rng, 0.4, 0.7)), (u(rng, 0.3, 0.45), 1.0), (1.0, 0.0)],
                false,
            )]
        }
        8 => {
            // A wave of 2-4 periods.
            let periods = u(rng, 1.5, 4.0);
            let amp = u(rng, 0.15, 0.4);
            vec![
                (0..=80)
                    .map(|i| {
                        let t = i as f32 / 80.0;
                        p(t, 0.5 + amp * (TAU * periods * t).sin())
                    })
                    .collect(),
            ]
        }
        9 => {
            // Cross-hatching.
            let n = rng.random_range(3..7);
            let mut paths: Paths = (0..n)
                .map(|i| {
                    let x = i as f32 / (n - 1) as f32;
                    polygon(&[(x, 0.0), (x - 0.3, 1.0)], false)
                })
                .collect();
            if chance(rng, 0.6) {
                paths.extend((0..n).map(|i| {
                    let y = i as f32 / (n - 1) as f32;
                    polygon(&[(0.0, y), (1.0, y - 0.2)], false)
                }));
            }
            paths
        }
        10 => {
            // An asterisk of 3-4 lines.
            let n = rng.random_range(3..5);
            let a0 = u(rng, 0.0, PI);
            (0..n)
                .map(|i| {
                    let a = a0 + PI * i as f32 / n as f32;
                    polygon(
                        &[
                            (0.5 - 0.5 * a.cos(), 0.5 - 0.5 * a.sin()),
                            (0.5 + 0.5 * a.cos(), 0.5 + 0.5 * a.sin()),
                        ],
                        false,
                    )
                })
                .collect()
        }
        11 => {
            // A plus: two strokes crossing somewhere near their middles.
            let (cx, cy) = (u(rng, 0.35, 0.65), u(rng, 0.35, 0.65));
            let tilt = u(rng, -0.15, 0.15);
            vec![
                polygon(&[(cx + tilt, 0.0), (cx - tilt, 1.0)], false),
                polygon(&[(0.0, cy - tilt), (1.0, cy + tilt)], false),
            ]
        }
        12 => {
            // A box, in one stroke or four.
            let h = u(rng, 0.5, 1.0);
            let corners = [(0.0, 0.0), (1.0, 0.0), (1.0, h), (0.0, h)];
            if chance(rng, 0.5) {
                vec![polygon(&corners, true)]
            } else {
                (0..4)
                    .map(|i| polygon(&[corners[i], corners[(i + 1) % 4]], false))
                    .collect()
            }
        }
        13 => {
            // An equals sign, or a not-equals.
            let gap = u(rng, 0.2, 0.5);
            let mut paths = vec![
                polygon(&[(0.0, 0.5 - gap / 2.0), (1.0, 0.5 - gap / 2.0)], false),
                polygon(&[(0.0, 0.5 + gap / 2.0), (1.0, 0.5 + gap / 2.0)], false),
            ];
            if chance(rng, 0.3) {
                paths.push(polygon(&[(0.7, 0.0), (0.3, 1.0)], false));
            }
            paths
        }
        14 => {
            // A percent sign: two small rings and a slash.
            let r = u(rng, 0.1, 0.18);
            vec![
                Path::default().arc(0.2, 0.2, r, r * 1.2, 0.0, TAU).done(),
                polygon(&[(0.9, 0.0), (0.1, 1.0)], false),
                Path::default().arc(0.8, 0.8, r, r * 1.2, 0.0, TAU).done(),
            ]
        }
        15 => {
            // A less-than or greater-than sign.
            let (a, b) = if chance(rng, 0.5) { (1.0, 0.0) } else { (0.0, 1.0) };
            vec![polygon(&[(a, 0.0), (b, u(rng, 0.4, 0.6)), (a, 1.0)], false)]
        }
        _ => {
            // A zigzag, like a crossed-out word.
            let n = rng.random_range(4..10);
            let pts: Vec<(f32, f32)> = (0..=n)
                .map(|i| {
                    (
                        i as f32 / n as f32,
                        if i % 2 == 0 { 0.0 } else { 1.0 } + u(rng, -0.1, 0.1),
                    )
                })
                .collect();
            vec![polygon(&pts, false)]
        }
    }
}

/// Letters as pen strokes (capitals and lower case that no digit is drawn like: no O, I, l, S, Z,
/// B, G, b, g, q): half of them printed, half in a joined hand (see [`handwritten`]).
pub fn letter(rng: &mut R) -> Paths {
    if chance(rng, 0.5) {
        printed(rng)
    } else {
        handwritten(rng)
    }
}

/// Printed letters: capitals and the lower case of print.
fn printed(rng: &mut R) -> Paths {
    let w = u(rng, 0.6, 1.0);
    let x = |v: f32| 0.5 + (v - 0.5) * w;
    let poly = |pts: &[(f32, f32)]| polygon(&pts.iter().map(|&(a, b)| (x(a), b)).collect::<Vec<_>>(), false);
    match rng.random_range(0..21) {
        0 => vec![
            poly(&[(0.0, 1.0), (0.5, 0.0), (1.0, 1.0)]),
            poly(&[(0.2, 0.6), (0.8, 0.6)]),
        ], // A
        1 => vec![
            poly(&[(1.0, 0.0), (0.0, 0.0), (0.0, 1.0), (1.0, 1.0)]),
            poly(&[(0.0, 0.5), (0.7, 0.5)]),
        ], // E
        2 => vec![
            poly(&[(1.0, 0.0), (0.0, 0.0), (0.0, 1.0)]),
            poly(&[(0.0, 0.5), (0.7, 0.5)]),
        ], // F
        3 => vec![
            poly(&[(0.0, 0.0), (0.0, 1.0)]),
            poly(&[(1.0, 0.0), (1.0, 1.0)]),
            poly(&[(0.0, 0.5), (1.0, 0.5)]),
        ], // H
        4 => vec![
            poly(&[(0.0, 0.0), (0.0, 1.0)]),
            poly(&[(1.0, 0.0), (0.0, 0.55), (1.0, 1.0)]),
        ], // K
        5 => vec![poly(&[(0.0, 1.0), (0.0, 0.0), (0.5, 0.6), (1.0, 0.0), (1.0, 1.0)])], // M
        6 => vec![poly(&[(0.0, 1.0), (0.0, 0.0), (1.0, 1.0), (1.0, 0.0)])],             // N
        7 => vec![
            Path::at(x(0.0), 1.0)
                .line(x(0.0), 0.0)
                .arc(x(0.3), 0.27, 0.35 * w, 0.27, -FRAC_PI_2, FRAC_PI_2)
                .line(x(0.0), 0.54)
                .done(),
        ], // P
        8 => vec![
            Path::at(x(0.0), 1.0)
                .line(x(0.0), 0.0)
                .arc(x(0.3), 0.27, 0.35 * w, 0.27, -FRAC_PI_2, FRAC_PI_2)
                .line(x(0.0), 0.54)
                .line(x(1.0), 1.0)
                .done(),
        ], // R
        9 => vec![
            Path::at(x(0.0), 0.0)
                .line(x(0.0), 0.6)
                .arc(x(0.5), 0.6, 0.5 * w, 0.4, PI, 0.0)
                .line(x(1.0), 0.0)
                .done(),
        ], // U
        10 => vec![poly(&[(0.0, 0.0), (0.5, 1.0), (1.0, 0.0)])],                        // V
        11 => vec![poly(&[(0.0, 0.0), (0.25, 1.0), (0.5, 0.3), (0.75, 1.0), (1.0, 0.0)])], // W
        12 => vec![poly(&[(0.0, 0.0), (1.0, 1.0)]), poly(&[(1.0, 0.0), (0.0, 1.0)])],   // X
        13 => vec![
            poly(&[(0.0, 0.0), (0.5, 0.5), (1.0, 0.0)]),
            poly(&[(0.5, 0.5), (0.5, 1.0)]),
        ], // Y
        14 => vec![
            Path::at(x(0.1), 0.62)
                .line(x(0.95), 0.62)
                .arc(x(0.52), 0.62, 0.43 * w, 0.38, 0.0, -PI * 1.75)
                .done(),
        ], // e
        15 => vec![
            poly(&[(0.0, 0.0), (0.0, 1.0)]),
            Path::at(x(0.0), 0.6)
                .arc(x(0.5), 0.6, 0.5 * w, 0.3, PI, TAU)
                .line(x(1.0), 1.0)
                .done(),
        ], // h
        16 => vec![
            Path::at(x(0.0), 0.35).line(x(0.0), 1.0).done(),
            Path::at(x(0.0), 0.6)
                .arc(x(0.25), 0.55, 0.25 * w, 0.2, PI, TAU)
                .line(x(0.5), 1.0)
                .done(),
            Path::at(x(0.5), 0.6)
                .arc(x(0.75), 0.55, 0.25 * w, 0.2, PI, TAU)
                .line(x(1.0), 1.0)
                .done(),
        ], // m
        17 => vec![
            poly(&[(0.0, 0.3), (0.0, 1.0)]),
            Path::at(x(0.0), 0.6)
                .arc(x(0.5), 0.6, 0.5 * w, 0.3, PI, TAU)
                .line(x(1.0), 1.0)
                .done(),
        ], // n
        18 => vec![
            poly(&[(0.3, 0.0), (0.3, 0.9), (0.6, 1.0), (0.9, 0.9)]),
            poly(&[(0.0, 0.35), (0.7, 0.35)]),
        ], // t
        19 => vec![
            poly(&[(0.0, 0.3), (0.0, 1.0)]),
            Path::at(x(0.0), 0.55)
                .arc(x(0.45), 0.55, 0.45 * w, 0.25, PI, PI * 1.8)
                .done(),
        ], // r
        _ => vec![poly(&[(0.0, 0.0), (0.5, 0.6)]), poly(&[(1.0, 0.0), (0.3, 1.0)])],    // y
    }
}

/// Lower-case letters as people write them by hand, each in one pen stroke, often with the
/// joined hand's lead-in from the baseline and exit flick: a, c, d, e, h, k, m, n, r, u, v, w, y
/// with loops and tails. A handwritten a is a 0 or a 9 with a stem, a d a 6 turned round: these
/// are what a letter drawn on the pad looks like, and what a digit must not be confused with.
fn handwritten(rng: &mut R) -> Paths {
    let w = u(rng, 0.5, 1.0);
    let x = |v: f32| 0.5 + (v - 0.5) * w;
    // x-height: the body of a small letter sits between `top` and the baseline at 1.
    let top = u(rng, 0.35, 0.55);
    let mid = (top + 1.0) / 2.0;
    let (rx, ry) = (0.5 * w * u(rng, 0.7, 1.0), (1.0 - top) / 2.0);
    // A stem from `from` down to the baseline, then `n` arches side by side (h, m, n).
    let arches = |from: f32, n: usize| {
        let mut path = Path::at(x(0.0), from).line(x(0.0), 1.0);
        for i in 0..n {
            let (left, right) = (i as f32 / n as f32, (i + 1) as f32 / n as f32);
            path = path
                .line(x(left), mid)
                .arc(x((left + right) / 2.0), mid, (right - left) / 2.0 * w, ry, PI, TAU)
                .line(x(right), 1.0);
        }
        path
    };
    let body = match rng.random_range(0..13) {
        0 => {
            // a: a bowl drawn anticlockwise from its top right, then its stem down the right.
            Path::at(x(0.9), top + 0.1 * ry)
                .arc(x(0.5), mid, rx, ry, -0.3, -0.3 - TAU * u(rng, 0.9, 1.0))
                .line(x(0.5) + rx, top)
                .line(x(0.5) + rx, 1.0)
        }
        1 => {
            // c: an arc open to the right.
            Path::default().arc(x(0.5), mid, rx, ry, -0.6, -TAU + 0.6)
        }
        2 => {
            // d: a bowl, and a stem rising far above it on the right.
            Path::at(x(0.9), top + 0.1 * ry)
                .arc(x(0.5), mid, rx, ry, -0.3, -0.3 - TAU * u(rng, 0.9, 1.0))
                .line(x(0.5) + rx, u(rng, 0.0, 0.1))
                .line(x(0.5) + rx, 1.0)
        }
        3 => {
            // e: a crossbar running into a loop that opens at the bottom right.
            Path::at(x(0.05), mid)
                .line(x(0.95), mid - 0.05)
                .arc(x(0.5), mid, rx, ry, -0.1, -TAU + 0.8)
        }
        4 => {
            // h: a tall stem, then an arch.
            arches(0.0, 1)
        }
        5 => {
            // k: a tall stem, then a small loop and a kick.
            Path::at(x(0.0), 0.0)
                .line(x(0.0), 1.0)
                .line(x(0.05), mid + 0.1)
                .curve(x(0.9), top - 0.1, x(0.2), mid + 0.05)
                .line(x(0.95), 1.0)
        }
        6 => {
            // m: two arches.
            arches(top, 2)
        }
        7 => {
            // n: one arch.
            arches(top, 1)
        }
        8 => {
            // r: a stem and a shoulder.
            Path::at(x(0.0), top)
                .line(x(0.0), 1.0)
                .line(x(0.0), mid)
                .arc(x(0.5), mid, 0.45 * w, ry, PI, PI * 1.75)
        }
        9 => {
            // u: a cup and its stem down the right.
            Path::at(x(0.0), top)
                .line(x(0.0), mid)
                .arc(x(0.5), mid, 0.5 * w, ry, PI, 0.0)
                .line(x(1.0), top)
                .line(x(1.0), 1.0)
        }
        10 => {
            // v: down and up, often ending in a little loop at the top right.
            let path = Path::at(x(0.0), top).line(x(0.5), 1.0).line(x(1.0), top);
            if chance(rng, 0.5) {
                path.arc(x(0.9), top + 0.05, 0.1 * w, 0.05, 0.0, TAU)
            } else {
                path
            }
        }
        11 => {
            // w: two cups or two vees.
            if chance(rng, 0.5) {
                Path::at(x(0.0), top)
                    .line(x(0.25), 1.0)
                    .line(x(0.5), top + 0.2)
                    .line(x(0.75), 1.0)
                    .line(x(1.0), top)
            } else {
                Path::at(x(0.0), top)
                    .arc(x(0.25), mid, 0.25 * w, ry, PI, 0.0)
                    .arc(x(0.75), mid, 0.25 * w, ry, PI, 0.0)
                    .line(x(1.0), top)
            }
        }
        _ => {
            // y: a cup, its right stem running below the baseline into a loop or a hook.
            Path::at(x(0.0), 0.0)
                .arc(x(0.35), 0.25, 0.35 * w, 0.25, PI, 0.0)
                .line(x(0.7), 0.0)
                .line(x(0.7), 0.85)
                .arc(x(0.45), 0.85, 0.25 * w, 0.15, 0.0, PI * u(rng, 1.0, 1.8))
        }
    };
    let mut path = body.done();
    if chance(rng, 0.5) {
        // The joined hand's lead-in: a stroke up from the baseline to where the letter starts.
        let start = path[0];
        let lead = Path::at(start.x - u(rng, 0.1, 0.3), 1.0)
            .curve(start.x - 0.05, (start.y + 1.0) / 2.0, start.x, start.y)
            .done();
        path = lead.into_iter().chain(path.into_iter().skip(1)).collect();
    }
    if chance(rng, 0.6) {
        // The exit flick towards the next letter.
        let end = path[path.len() - 1];
        let flick = Path::at(end.x, end.y)
            .curve(
                end.x + 0.1,
                end.y + 0.05,
                end.x + u(rng, 0.15, 0.35),
                end.y - u(rng, 0.1, 0.3),
            )
            .done();
        path.extend(flick.into_iter().skip(1));
    }
    vec![path]
}

/// Two digits drawn on top of each other, shifted by 15-35% of their size. Not a 1: a stick
/// laid over another digit's stem leaves that digit.
pub fn overlap(rng: &mut R) -> Paths {
    let pick = |rng: &mut R| loop {
        let s = &STYLES[rng.random_range(0..STYLES.len())];
        if s.digit != 1 {
            return s;
        }
    };
    let a = pick(rng);
    let mut b = pick(rng);
    while b.digit == a.digit {
        b = pick(rng);
    }
    let mut paths = (a.draw)(rng);
    let (dx, dy) = (
        u(rng, 0.15, 0.35) * if chance(rng, 0.5) { 1.0 } else { -1.0 },
        u(rng, -0.2, 0.2),
    );
    paths.extend(moved(&(b.draw)(rng), dx, dy, u(rng, 0.8, 1.2)));
    paths
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn every_kind_draws_finite_points() {
        let mut rng = R::seed_from_u64(3);
        let mut seen = [0usize; 4];
        for _ in 0..400 {
            let (k, paths) = draw(&mut rng);
            seen[k] += 1;
            assert!(paths.iter().any(|s| !s.is_empty()), "{} drew nothing", KINDS[k]);
            assert!(paths.iter().flatten().all(|q| q.x.is_finite() && q.y.is_finite()));
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
    }
}
