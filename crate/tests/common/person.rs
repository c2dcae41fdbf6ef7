//! A simulated person whose handwriting MNIST does not show: boxy seven-segment digits, with a
//! long-flagged 1 and a crossed 7. Each
//! sample varies as one person's digits do (slant, rotation, size, aspect, wobble, pen), drawn
//! as pen strokes and framed as the page reads them (`frame_strokes`), the strokes kept with
//! each correction as the page keeps them.
#![allow(dead_code)]

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use lenet5::onnx::contract::CLASSES;
use lenet5::train::finetune::Correction;
use lenet5::train::net::{Params, Workspace, argmax};

use crate::common::{Strokes, TRANSPARENT, blank, draw, to_strokes};

/// The person's way of writing `d`, in a unit box (x right, y down): boxy digits made of the
/// segments of a seven-segment display, a style some engineers and many displays use and
/// MNIST's writers did not.
pub fn habit(d: u8) -> Strokes {
    let (tl, tr, ml, mr, bl, br) = (
        (0.2, 0.05),
        (0.8, 0.05),
        (0.2, 0.5),
        (0.8, 0.5),
        (0.2, 0.95),
        (0.8, 0.95),
    );
    match d {
        0 => vec![vec![tl, tr, br, bl, tl]],
        // A 1 with a long flag.
        1 => vec![vec![(0.2, 0.4), tr, br]],
        2 => vec![vec![tl, tr, mr, ml, bl, br]],
        3 => vec![vec![tl, tr, br, bl], vec![ml, mr]],
        4 => vec![vec![tl, ml, mr], vec![tr, br]],
        5 => vec![vec![tr, tl, ml, mr, br, bl]],
        6 => vec![vec![tr, tl, bl, br, mr, ml]],
        // Continental habits: a 7 crossed in the middle.
        7 => vec![vec![tl, tr, br], vec![(0.45, 0.5), (1.0, 0.5)]],
        8 => vec![vec![tl, tr, br, bl, tl], vec![ml, mr]],
        _ => vec![vec![mr, ml, tl, tr, br, bl]],
    }
}

/// One sample of `d`: the habit with this sample's slant, rotation, size, aspect, wobble and
/// position, in a unit pad.
pub fn sample(d: u8, rng: &mut ChaCha8Rng) -> Strokes {
    let slant = rng.random_range(-0.1f32..0.25);
    let angle = rng.random_range(-8f32..8.0).to_radians();
    let size = rng.random_range(0.5f32..0.75);
    let aspect = rng.random_range(0.8f32..1.1);
    let (cx, cy) = (rng.random_range(0.4f32..0.6), rng.random_range(0.42f32..0.58));
    let (s, c) = angle.sin_cos();
    habit(d)
        .into_iter()
        .map(|stroke| {
            stroke
                .into_iter()
                .map(|(x, y)| {
                    let (x, y) = (
                        x + rng.random_range(-0.015f32..0.015),
                        y + rng.random_range(-0.015f32..0.015),
                    );
                    let (u, v) = ((x - 0.5) * aspect - slant * (y - 0.5), y - 0.5);
                    let (u, v) = (c * u - s * v, s * u + c * v);
                    (cx + u * size, cy + v * size)
                })
                .collect()
        })
        .collect()
}

/// `per_digit` samples of each digit, interleaved (0, 1, ..., 9, 0, 1, ...), as the pen strokes
/// on a `side` x `side` pad, drawn with a pen of side/22 (the page's medium pen) to side/14.
pub fn drawings(seed: u64, per_digit: usize, side: usize) -> Vec<(u8, Strokes, f32)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for _ in 0..per_digit {
        for d in 0..10u8 {
            let strokes = sample(d, &mut rng);
            let pen = side as f32 / rng.random_range(14f32..22.0);
            let placed: Strokes = strokes
                .iter()
                .map(|s| s.iter().map(|&(x, y)| (x * side as f32, y * side as f32)).collect())
                .collect();
            out.push((d, placed, pen));
        }
    }
    out
}

/// [`drawings`] as RGBA pads (images of the same drawings).
pub fn canvases(seed: u64, per_digit: usize, side: usize) -> Vec<(u8, Vec<u8>)> {
    drawings(seed, per_digit, side)
        .into_iter()
        .map(|(d, placed, pen)| {
            let mut c = blank(side, side, TRANSPARENT);
            draw(&mut c, side, side, &placed, pen, TRANSPARENT);
            (d, c)
        })
        .collect()
}

/// [`drawings`] as the page keeps a correction: the strokes framed as the page reads them
/// (`frame_strokes`), labelled, with the strokes and the pen kept.
pub fn corrections(seed: u64, per_digit: usize, side: usize) -> Vec<Correction> {
    drawings(seed, per_digit, side)
        .into_iter()
        .map(|(d, placed, pen)| {
            let strokes = to_strokes(&placed);
            Correction {
                input: lenet5::ink::raster::frame_strokes(&strokes, pen).expect("ink").input,
                label: d,
                strokes,
                pen_width: pen,
            }
        })
        .collect()
}

/// The digit the trainer's network reads in each of `set`.
pub fn predict(params: &Params, set: &[Correction]) -> Vec<usize> {
    let mut ws = Workspace::new(16);
    let mut out = Vec::new();
    for chunk in set.chunks(16) {
        let x: Vec<f32> = chunk.iter().flat_map(|c| c.input.iter().copied()).collect();
        ws.forward(params, &x);
        out.extend((0..chunk.len()).map(|b| argmax(&ws.probs[b * CLASSES..][..CLASSES])));
    }
    out
}

/// How many of `set` the network reads right.
pub fn right(params: &Params, set: &[Correction]) -> usize {
    predict(params, set)
        .iter()
        .zip(set)
        .filter(|(p, c)| **p == usize::from(c.label))
        .count()
}
