//! A short training run on the committed MNIST fixture must measurably learn, deterministically.

mod common;

use lenet5::train::mnist;
use lenet5::train::net::C3Mode;
use lenet5::train::trainer::{Config, Trainer, evaluate};

fn run(c3: C3Mode, epochs: usize, seed: u64) -> (lenet5::train::net::Params, f64, f64) {
    let data = mnist::load_dir(&common::mini_mnist()).expect("fixture");
    let train = data.train.samples();
    let test = data.test.samples();
    let config = Config {
        epochs,
        batch_size: 32,
        lr: 2e-3,
        seed,
        c3,
        distortion: None,
    };
    let mut trainer = Trainer::new(config, train.len());
    let before = evaluate(&trainer.params, test).accuracy;
    for _ in 0..epochs {
        trainer.epoch(&train, |_, _, _| {});
    }
    let after = evaluate(&trainer.params, test).accuracy;
    (trainer.params, before, after)
}

#[test]
fn training_on_1000_digits_learns() {
    let (_, before, after) = run(C3Mode::Full, 4, 1);
    eprintln!(
        "held-out accuracy: {:.1}% before, {:.1}% after 4 epochs on 1000 digits",
        100.0 * before,
        100.0 * after
    );
    assert!(before < 0.3, "an untrained net should be near chance, got {before}");
    assert!(
        after > 0.85,
        "4 epochs on 1000 digits should reach 85% on 500 held-out digits, got {after}"
    );
}

#[test]
fn paper_connection_table_trains_and_keeps_cut_weights_zero() {
    let (params, _, after) = run(C3Mode::Paper, 3, 2);
    assert!(after > 0.8, "paper C3 after 3 epochs: {after}");
    let mask = lenet5::train::net::Params::c3_mask(C3Mode::Paper);
    let c3 = lenet5::train::net::tensors()
        .into_iter()
        .find(|t| t.name == "c3.weight")
        .unwrap();
    let cut_nonzero = mask
        .iter()
        .enumerate()
        .filter(|(i, m)| **m == 0.0 && params.data[c3.offset + i] != 0.0)
        .count();
    assert_eq!(cut_nonzero, 0);
}

#[test]
fn same_seed_same_model_different_seed_different_model() {
    let (a, _, _) = run(C3Mode::Full, 1, 5);
    let (b, _, _) = run(C3Mode::Full, 1, 5);
    let (c, _, _) = run(C3Mode::Full, 1, 6);
    assert!(a.data == b.data, "same seed must give bit-identical weights");
    assert!(a.data != c.data);
}

/// Outlier exposure: the same short run with generated non-digits added must leave the network
/// much less sure of non-digits it never saw (from the evaluation stream), and still read digits.
#[test]
fn training_with_generated_non_digits_teaches_doubt() {
    use lenet5::train::synth::{Bench, Mix, Recipe};
    let data = mnist::load_dir(&common::mini_mnist()).expect("fixture");
    let train = data.train.samples();
    let test = data.test.samples();
    let bench = Bench::new(4, 200);
    let top = |p: &[f32; 10]| p.iter().copied().fold(0f32, f32::max);
    let mut results = Vec::new();
    for outliers in [0, 500] {
        let config = Config {
            epochs: 4,
            batch_size: 32,
            lr: 2e-3,
            seed: 5,
            c3: C3Mode::Full,
            distortion: None,
        };
        let mix = Mix::new(
            train,
            Recipe {
                restroked: 0,
                allographs: 0,
                outliers,
            },
        );
        let mut trainer = Trainer::new(config, lenet5::train::trainer::Source::len(&mix));
        for _ in 0..4 {
            trainer.epoch(&mix, |_, _, _| {});
        }
        let report = bench.evaluate(&trainer.params);
        let mean_top = report.outlier_probs.iter().map(top).sum::<f32>() / report.outlier_probs.len() as f32;
        results.push((evaluate(&trainer.params, test).accuracy, mean_top, report.auroc));
    }
    eprintln!("(MNIST accuracy, mean top probability of non-digits, AUROC) without / with outliers: {results:?}");
    let ((acc0, top0, auroc0), (acc1, top1, auroc1)) = (results[0], results[1]);
    assert!(top1 < top0 - 0.15, "non-digits' top probability {top0} → {top1}");
    assert!(auroc1 > auroc0, "AUROC {auroc0} → {auroc1}");
    assert!(acc1 > acc0 - 0.05 && acc1 > 0.8, "digits: {acc0} → {acc1}");
}

/// The non-digits' font letters and the printed digits: read from Debian's fonts-dejavu-core
/// when it is installed, and a missing folder is refused in words that say what to do.
#[test]
fn font_glyphs_are_traced_or_refused_in_words() {
    use lenet5::train::fonts;
    let err = fonts::load_dir(std::path::Path::new("/nonexistent/fonts")).unwrap_err();
    assert!(err.contains("fonts-dejavu-core") && err.contains("--no-fonts"), "{err}");
    let dir = std::path::Path::new(fonts::DEFAULT_DIR);
    if !dir.is_dir() {
        common::skip(
            "font_glyphs_are_traced_or_refused_in_words (tracing)",
            "needs fonts-dejavu-core in /usr/share/fonts/truetype/dejavu",
        );
        return;
    }
    let traced = fonts::load_dir(dir).expect("the installed fonts load");
    // Dozens of glyphs per font and each digit from at least ten fonts, each traced into at
    // least one pen path inside the unit box.
    assert!(traced.letters.len() > 200, "{} glyphs", traced.letters.len());
    assert!(!traced.fingerprint.is_empty());
    for d in 0..10u8 {
        let n = traced.digits.iter().filter(|(v, _)| *v == d).count();
        assert!(n >= 10, "digit {d}: {n} fonts");
    }
    for paths in traced.letters.iter().chain(traced.digits.iter().map(|(_, p)| p)) {
        assert!(paths.iter().any(|p| !p.is_empty()));
        assert!(
            paths
                .iter()
                .flatten()
                .all(|q| (0.0..=1.0).contains(&q.x) && (0.0..=1.0).contains(&q.y))
        );
    }
}
