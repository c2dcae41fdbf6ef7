//! Calibrates the reject rule ("not sure"): for a grid of thresholds on the top probability and
//! on its margin over the runner-up, prints
//! - the false-reject rate on the 10,000 MNIST test digits (and how many of the misread ones it
//!   catches),
//! - the false-reject rate on the stroke fixture's digits drawn like the page does,
//! - the reject rate on the non-digit drawings (letters, scribbles, overlapping digits, doodles).
//!
//! `cargo run --example calibrate_reject [-- MNIST_DIR]` (default `../shared/data/mnist`; the dev
//! profile optimises this crate, and a release build would spend minutes in LTO).

#[path = "../tests/common/mod.rs"]
mod common;

use lenet5::Recognizer;
use lenet5::recognizer::{RejectRule, top_two};
use lenet5::train::mnist;

fn main() {
    let root = common::repo_root();
    let model = std::fs::read(root.join("model/lenet5.onnx")).expect("model/lenet5.onnx");
    let mut r = Recognizer::new(&model).expect("model loads");
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/mnist"));
    let test = mnist::load_dir(&dir).expect("MNIST").test;

    // (probabilities, label) for each source; label None for non-digits.
    let mut mnist_p = Vec::new();
    for (img, &label) in test.images.chunks_exact(28 * 28).zip(&test.labels) {
        let mut input = vec![0f32; 32 * 32];
        for y in 0..28 {
            for x in 0..28 {
                input[(y + 2) * 32 + x + 2] = f32::from(img[y * 28 + x]) / 255.0;
            }
        }
        mnist_p.push((r.predict(&input).expect("predict"), label));
    }
    let side = 280;
    let mut drawn = Vec::new();
    for (label, strokes) in common::stroke_fixture("strokes.json") {
        let out = r.recognize(&common::render_pad(&strokes, side), side, side).unwrap();
        drawn.push((out.probabilities, label.parse::<u8>().unwrap()));
    }
    let mut non = Vec::new();
    for (kind, strokes) in common::stroke_fixture("nondigits.json") {
        let out = r.recognize(&common::render_pad(&strokes, side), side, side).unwrap();
        non.push((out.probabilities, kind));
    }

    let kinds = ["letter", "scribble", "overlap", "shape"];
    println!(
        "MNIST test digits: {}, drawn digits: {}, non-digits: {}",
        mnist_p.len(),
        drawn.len(),
        non.len()
    );
    println!(
        "| min p | min margin | MNIST false reject | MNIST errors caught | drawn false reject | drawn errors caught | non-digits rejected | {} |",
        kinds.join(" | ")
    );
    for &min_confidence in &[0.5f32, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98] {
        for &min_margin in &[0.0f32, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95] {
            if min_margin > min_confidence {
                continue;
            }
            let rule = RejectRule {
                min_confidence,
                min_margin,
            };
            let rates = |set: &[([f32; 10], u8)]| {
                let (mut fr, mut right, mut caught, mut wrong) = (0, 0, 0, 0);
                for (p, label) in set {
                    let correct = top_two(p).0 as u8 == *label;
                    let sure = rule.is_sure(p);
                    if correct {
                        right += 1;
                        fr += usize::from(!sure);
                    } else {
                        wrong += 1;
                        caught += usize::from(!sure);
                    }
                }
                (100.0 * fr as f64 / right.max(1) as f64, format!("{caught}/{wrong}"))
            };
            let (m_fr, m_caught) = rates(&mnist_p);
            let (d_fr, d_caught) = rates(&drawn);
            let rejected = |k: Option<&str>| {
                let sel: Vec<_> = non.iter().filter(|(_, kind)| k.is_none_or(|k| kind == k)).collect();
                let n = sel.iter().filter(|(p, _)| !rule.is_sure(p)).count();
                100.0 * n as f64 / sel.len().max(1) as f64
            };
            let per_kind: Vec<String> = kinds.iter().map(|k| format!("{:.0}%", rejected(Some(k)))).collect();
            println!(
                "| {min_confidence} | {min_margin} | {m_fr:.2}% | {m_caught} | {d_fr:.1}% | {d_caught} | {:.1}% | {} |",
                rejected(None),
                per_kind.join(" | ")
            );
        }
    }
}
