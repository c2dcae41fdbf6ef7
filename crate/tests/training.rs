//! A short training run on the committed MNIST fixture must measurably learn, deterministically.

mod common;

use lenet5::train::mnist;
use lenet5::train::net::C3Mode;
use lenet5::train::trainer::{Config, Samples, Trainer, evaluate};

fn run(c3: C3Mode, epochs: usize, seed: u64) -> (lenet5::train::net::Params, f64, f64) {
    let data = mnist::load_dir(&common::mini_mnist()).expect("fixture");
    let train = Samples {
        images: &data.train.images,
        labels: &data.train.labels,
    };
    let test = Samples {
        images: &data.test.images,
        labels: &data.test.labels,
    };
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
        trainer.epoch(train, |_, _, _| {});
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
