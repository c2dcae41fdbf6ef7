//! Everything the model card's ablation table reports about a model, through the page's own
//! stroke path, and the reject rule's calibration:
//! - MNIST test accuracy and how many of its digits the reject rule doubts (if MNIST is there);
//! - the stroke fixture's drawn digits (Hershey fonts and hand-drawn forms, never trained on):
//!   accuracy per source and per hand-drawn form, and how many are doubted ("not sure");
//! - the non-digit fixture (letters, scribbles, overlapping digits, doodles): rejected per kind;
//! - the generated evaluation sets (`train::synth::Bench`, a random stream training never
//!   draws from): accuracy per style, non-digits rejected;
//! - the AUROC of telling digits from non-digits by the top probability, on both.
//!
//! With `--calibrate`, also a grid of reject rules measured on the generated evaluation sets
//! (held-out seeds, not the fixtures), each with its fixture figures beside it.
//!
//! `cargo run --example evaluate -- [MODEL] [--mnist DIR] [--calibrate]` (defaults:
//! model/lenet5.onnx, ../shared/data/mnist; the dev profile optimises this crate, and a release
//! build would spend minutes in LTO).

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;

use lenet5::recognizer::{RejectRule, top_two};
use lenet5::train::synth::{Bench, allographs::STYLES, outliers::KINDS};
use lenet5::{Recognizer, train::mnist};

/// Drawings per generated style and generated non-digits (as the trainer's per-epoch check).
const PER_STYLE: usize = 40;
const OUTLIERS: usize = 1000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = common::repo_root();
    let model_path = args
        .iter()
        .find(|a| !a.starts_with("--") && !args.iter().any(|b| b == "--mnist" && Some(*a) == next(&args, b)))
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("model/lenet5.onnx"));
    let mnist_dir = next(&args, "--mnist")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/mnist"));
    let calibrate = args.iter().any(|a| a == "--calibrate");
    let bytes = std::fs::read(&model_path).unwrap_or_else(|e| panic!("{}: {e}", model_path.display()));
    let mut r = Recognizer::new(&bytes).expect("the model loads");
    println!("model: {} ({} bytes)", model_path.display(), bytes.len());

    // (probabilities, label) per set; non-digits carry their kind instead.
    let mut mnist_p: Vec<([f32; 10], u8)> = Vec::new();
    match mnist::load_dir(&mnist_dir) {
        Ok(data) => {
            let mut input = vec![0f32; 1024];
            for (img, &label) in data.test.images.chunks_exact(784).zip(&data.test.labels) {
                lenet5::train::augment::place(img, &mut input);
                mnist_p.push((r.predict(&input).expect("predict"), label));
            }
        }
        Err(e) => println!("MNIST not read ({e}): its columns are left out"),
    }
    // The page's pen is a 14th of the pad's side; the fixtures' pad is the unit square.
    let pen = 1.0 / 14.0;
    let mut drawn = Vec::new(); // (probabilities, label, source, glyph)
    for d in &common::fixture_entries("strokes.json") {
        let out = r
            .recognize_strokes(&common::to_strokes(&common::strokes_of(d)), pen)
            .expect("reads");
        let label = d["label"].as_u64().expect("label") as u8;
        let source = d["source"].as_str().unwrap_or("?").to_string();
        let glyph = d["glyph"].as_str().unwrap_or("?").to_string();
        drawn.push((out.probabilities, label, source, glyph));
    }
    let mut styles: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new(); // right, doubted, total
    for d in &common::fixture_entries("styles.json") {
        let out = r
            .recognize_strokes(&common::to_strokes(&common::strokes_of(d)), pen)
            .expect("reads");
        let label = d["label"].as_u64().expect("label") as u8;
        let e = styles
            .entry(d["style"].as_str().unwrap_or("?").to_string())
            .or_default();
        e.0 += usize::from(top_two(&out.probabilities).0 as u8 == label);
        e.1 += usize::from(!RejectRule::DEFAULT.is_sure(&out.probabilities));
        e.2 += 1;
    }
    let mut non = Vec::new(); // (probabilities, kind)
    for d in &common::fixture_entries("nondigits.json") {
        let out = r
            .recognize_strokes(&common::to_strokes(&common::strokes_of(d)), pen)
            .expect("reads");
        non.push((out.probabilities, d["kind"].as_str().unwrap_or("?").to_string()));
    }
    let bench = Bench::new(PER_STYLE, OUTLIERS);
    let gen_digits: Vec<([f32; 10], usize)> = bench
        .digits
        .iter()
        .map(|(s, x)| (r.predict(x).expect("predict"), *s))
        .collect();
    let gen_non: Vec<([f32; 10], usize)> = bench
        .outliers
        .iter()
        .map(|(k, x)| (r.predict(x).expect("predict"), *k))
        .collect();

    let rule = RejectRule::DEFAULT;
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    let top = |p: &[f32; 10]| p.iter().copied().fold(0f32, f32::max);
    let right = |p: &[f32; 10], label: u8| top_two(p).0 as u8 == label;

    // Drawn digits, fixture.
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (p, label, source, glyph) in &drawn {
        let ok = right(p, *label);
        for key in [format!("source {source}"), format!("digit {label}")]
            .into_iter()
            .chain((source == "hand").then(|| format!("hand {glyph}")))
        {
            let e = by.entry(key).or_default();
            e.0 += usize::from(ok);
            e.1 += 1;
        }
    }
    let fixture_right = drawn.iter().filter(|(p, l, _, _)| right(p, *l)).count();
    let fixture_doubted = drawn.iter().filter(|(p, _, _, _)| !rule.is_sure(p)).count();
    println!(
        "\nfixture drawn digits: {}/{} right ({:.1}%), {} doubted ({:.1}%), {} read wrong and sure",
        fixture_right,
        drawn.len(),
        pct(fixture_right, drawn.len()),
        fixture_doubted,
        pct(fixture_doubted, drawn.len()),
        drawn
            .iter()
            .filter(|(p, l, _, _)| !right(p, *l) && rule.is_sure(p))
            .count()
    );
    for (k, (ok, n)) in &by {
        println!("  {k}: {ok}/{n}");
    }
    let missed: Vec<String> = drawn
        .iter()
        .filter(|(p, l, _, _)| !right(p, *l))
        .map(|(p, l, s, g)| format!("{s}/{g} {l}→{}", top_two(p).0))
        .collect();
    println!("  misread: {}", missed.join(", "));
    let doubted: Vec<String> = drawn
        .iter()
        .filter(|(p, _, _, _)| !rule.is_sure(p))
        .map(|(p, l, s, g)| format!("{s}/{g} {l}: {:.2} ({} {:.2})", top(p), top_two(p).1, p[top_two(p).1]))
        .collect();
    println!("  doubted: {}", doubted.join(", "));

    let (sr, sd, st) = styles
        .values()
        .fold((0, 0, 0), |a, e| (a.0 + e.0, a.1 + e.1, a.2 + e.2));
    println!(
        "\nstyle fixture: {sr}/{st} right ({:.1}%), {sd} doubted ({:.1}%)",
        pct(sr, st),
        pct(sd, st)
    );
    let rows: Vec<String> = styles
        .iter()
        .map(|(k, (ok, doubted, n))| format!("{k} {ok}/{n} ({doubted} doubted)"))
        .collect();
    println!("  {}", rows.join(", "));
    let worst = styles
        .iter()
        .map(|(k, (ok, _, n))| (pct(*ok, *n), k.clone()))
        .fold((101.0, String::new()), |a, b| if b.0 < a.0 { b } else { a });

    // Non-digits, fixture.
    let non_rejected = non.iter().filter(|(p, _)| !rule.is_sure(p)).count();
    println!(
        "\nfixture non-digits rejected: {}/{} ({:.1}%)",
        non_rejected,
        non.len(),
        pct(non_rejected, non.len())
    );
    for kind in ["letter", "scribble", "overlap", "shape"] {
        let sel: Vec<_> = non.iter().filter(|(_, k)| k == kind).collect();
        let n = sel.iter().filter(|(p, _)| !rule.is_sure(p)).count();
        println!("  {kind}: {n}/{} ({:.0}%)", sel.len(), pct(n, sel.len()));
    }
    let fixture_auroc = lenet5::train::trainer::auroc(
        &drawn.iter().map(|d| top(&d.0)).collect::<Vec<_>>(),
        &non.iter().map(|d| top(&d.0)).collect::<Vec<_>>(),
    );

    // Generated sets.
    let gen_right = gen_digits.iter().filter(|(p, s)| right(p, STYLES[*s].digit)).count();
    let gen_doubted = gen_digits.iter().filter(|(p, _)| !rule.is_sure(p)).count();
    let gen_rejected = gen_non.iter().filter(|(p, _)| !rule.is_sure(p)).count();
    let gen_auroc = lenet5::train::trainer::auroc(
        &gen_digits.iter().map(|d| top(&d.0)).collect::<Vec<_>>(),
        &gen_non.iter().map(|d| top(&d.0)).collect::<Vec<_>>(),
    );
    println!(
        "\ngenerated drawn digits (evaluation stream): {}/{} ({:.1}%), doubted {:.1}%",
        gen_right,
        gen_digits.len(),
        pct(gen_right, gen_digits.len()),
        pct(gen_doubted, gen_digits.len())
    );
    let per_style: Vec<String> = STYLES
        .iter()
        .enumerate()
        .map(|(s, style)| {
            let sel: Vec<_> = gen_digits.iter().filter(|(_, k)| *k == s).collect();
            let ok = sel.iter().filter(|(p, _)| right(p, style.digit)).count();
            format!("{} {:.0}%", style.name, pct(ok, sel.len()))
        })
        .collect();
    println!("  {}", per_style.join(", "));
    let per_kind: Vec<String> = KINDS
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let sel: Vec<_> = gen_non.iter().filter(|(_, j)| *j == k).collect();
            let n = sel.iter().filter(|(p, _)| !rule.is_sure(p)).count();
            format!("{name} {:.0}%", pct(n, sel.len()))
        })
        .collect();
    println!(
        "generated non-digits rejected: {:.1}% ({})",
        pct(gen_rejected, gen_non.len()),
        per_kind.join(", ")
    );

    let mnist_right = mnist_p.iter().filter(|(p, l)| right(p, *l)).count();
    let mnist_doubted = mnist_p.iter().filter(|(p, _)| !rule.is_sure(p)).count();
    if !mnist_p.is_empty() {
        println!(
            "\nMNIST test: {:.2}% right, {:.2}% doubted",
            pct(mnist_right, mnist_p.len()),
            pct(mnist_doubted, mnist_p.len())
        );
    }
    let style = |name: &str| {
        styles
            .get(name)
            .map_or("-".into(), |(a, _, b)| format!("{:.0}%", pct(*a, *b)))
    };
    println!(
        "\n| MNIST test | stroke fixture | doubted | style fixture | worst style | crossed 7 | flagged 1 | open 4 | fixture non-digits rejected | AUROC fixture | generated digits | generated non-digits rejected | AUROC generated |"
    );
    println!(
        "| {:.2}% | {:.1}% | {:.1}% | {:.1}% | {} {:.0}% | {} | {} | {} | {:.1}% | {:.4} | {:.1}% | {:.1}% | {:.4} |",
        pct(mnist_right, mnist_p.len()),
        pct(fixture_right, drawn.len()),
        pct(fixture_doubted, drawn.len()),
        pct(sr, st),
        worst.1,
        worst.0,
        style("7-crossed"),
        style("1-long-flag"),
        style("4-open"),
        pct(non_rejected, non.len()),
        fixture_auroc,
        pct(gen_right, gen_digits.len()),
        pct(gen_rejected, gen_non.len()),
        gen_auroc
    );

    if calibrate {
        println!("\nreject rules on the generated evaluation sets (held-out seeds), fixture figures beside:");
        println!(
            "| min p | min margin | generated digits doubted | generated non-digits rejected | MNIST doubted | fixture digits doubted | fixture non-digits rejected |"
        );
        for &min_confidence in &[0.5f32, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98] {
            for &min_margin in &[0.0f32, 0.3, 0.5, 0.7, 0.8, 0.9] {
                if min_margin > min_confidence {
                    continue;
                }
                let rule = RejectRule {
                    min_confidence,
                    min_margin,
                };
                let doubt = |set: &mut dyn Iterator<Item = &[f32; 10]>| {
                    let (mut n, mut k) = (0, 0);
                    for p in set {
                        n += 1;
                        k += usize::from(!rule.is_sure(p));
                    }
                    pct(k, n)
                };
                println!(
                    "| {min_confidence} | {min_margin} | {:.1}% | {:.1}% | {:.2}% | {:.1}% | {:.1}% |",
                    doubt(&mut gen_digits.iter().map(|d| &d.0)),
                    doubt(&mut gen_non.iter().map(|d| &d.0)),
                    doubt(&mut mnist_p.iter().map(|d| &d.0)),
                    doubt(&mut drawn.iter().map(|d| &d.0)),
                    doubt(&mut non.iter().map(|d| &d.0)),
                );
            }
        }
    }
}

/// The value after flag `flag`.
fn next<'a>(args: &'a [String], flag: &str) -> Option<&'a String> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1))
}
