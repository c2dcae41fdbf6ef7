//! Learning a person's handwriting (`lenet5::train::finetune`, what the page's worker runs): on the
//! simulated person of `common/person.rs`, with the committed model and the shipped replay
//! sample, and on the committed mini-MNIST fixture for forgetting.

mod common;
#[path = "common/person.rs"]
mod person;

use std::io::Read;

use lenet5::train::export;
use lenet5::train::finetune::{self, Correction, Options};
use lenet5::train::mnist;
use lenet5::train::net::{C3Mode, Params, argmax};
use lenet5::train::trainer::{Samples, evaluate};
use lenet5::{Error, Recognizer};

const SIDE: usize = 280;

fn committed() -> Vec<u8> {
    std::fs::read(common::repo_root().join("model/lenet5.onnx")).expect("model/lenet5.onnx")
}

fn replay() -> (Vec<u8>, Vec<u8>) {
    let gz = std::fs::read(common::repo_root().join("model/mnist-replay.bin.gz")).expect("model/mnist-replay.bin.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut bytes)
        .expect("gzip");
    finetune::parse_replay(&bytes).expect("the shipped replay sample parses")
}

fn person(seed: u64, per_digit: usize) -> Vec<Correction> {
    person::corrections(seed, per_digit, SIDE)
}

#[test]
fn the_shipped_replay_sample_is_balanced_mnist() {
    let (images, labels) = replay();
    assert_eq!(labels.len(), 1000);
    assert_eq!(images.len(), 1000 * 784);
    for d in 0..10u8 {
        assert_eq!(labels.iter().filter(|&&l| l == d).count(), 100, "digit {d}");
    }
    // Real digits: the committed model reads (almost) all of them.
    let base = finetune::params_from_onnx(&committed()).unwrap();
    let acc = evaluate(
        &base,
        Samples {
            images: &images,
            labels: &labels,
        },
    )
    .accuracy;
    assert!(acc > 0.98, "the committed model reads {acc} of the replay digits");
}

#[test]
fn teaching_fixes_what_was_misread_and_generalises_without_forgetting() {
    let model = committed();
    let base = finetune::params_from_onnx(&model).expect("the committed model is ours");
    let untouched = base.clone();
    let held = person(2026, 10);
    let pool = person(2027, 4);
    let misread: Vec<Correction> = pool
        .iter()
        .zip(person::predict(&base, &pool))
        .filter(|(c, p)| *p != usize::from(c.label))
        .map(|(c, _)| c.clone())
        .collect();
    assert!(
        misread.len() >= 4,
        "the simulated person should trouble the model: {} misread",
        misread.len()
    );
    let corrections: Vec<Correction> = misread.into_iter().take(5).collect();
    let (images, labels) = replay();
    let replay = Samples {
        images: &images,
        labels: &labels,
    };
    let mut calls = 0;
    let (tuned, report) =
        finetune::fine_tune(&base, &corrections, replay, &Options::default(), |_, _| calls += 1).unwrap();

    assert_eq!(base, untouched, "the original weights changed");
    assert_eq!(calls, report.steps);
    // A network trained to be unsure of what is not a digit starts these boxy drawings in that
    // flat region: the loss falls 2.3x in the default 40 steps, every correction then read right.
    assert!(
        report.loss_after < report.loss_before / 2.0,
        "loss on the corrections {} -> {}",
        report.loss_before,
        report.loss_after
    );
    assert_eq!(report.right_before, 0);
    assert_eq!(report.right_after, corrections.len(), "{report:?}");
    let (before, after) = (person::right(&base, &held), person::right(&tuned, &held));
    eprintln!(
        "person held-out: {before}/{n} -> {after}/{n} after {} corrections",
        corrections.len(),
        n = held.len()
    );
    assert!(
        after >= before + 5,
        "held-out drawings of the person: {before} -> {after}"
    );

    // Everyone else's digits (the committed 500-digit test fixture).
    let mini = mnist::load_dir(&common::mini_mnist()).unwrap().test;
    let test = mini.samples();
    let (a0, a1) = (evaluate(&base, test).accuracy, evaluate(&tuned, test).accuracy);
    eprintln!("mini MNIST test: {a0} -> {a1}");
    assert!(a1 >= a0 - 0.01, "forgot MNIST: {a0} -> {a1}");

    // The written model: ours again, the same weights, and tract reads it the same.
    let bytes = finetune::personal_onnx(&tuned, &finetune::onnx_metadata(&model), corrections.len());
    assert_eq!(finetune::params_from_onnx(&bytes).unwrap(), tuned);
    let meta = finetune::onnx_metadata(&bytes);
    assert!(
        meta.iter()
            .any(|(k, v)| k == "personalized_with" && v == "5 corrections"),
        "{meta:?}"
    );
    assert!(
        !meta.iter().any(|(k, _)| k == "accuracy"),
        "the original's accuracy no longer holds"
    );
    let mut r = Recognizer::new(&bytes).expect("tract loads the personal model");
    for (c, p) in held.iter().zip(person::predict(&tuned, &held)) {
        assert_eq!(argmax(&r.predict(&c.input).unwrap()), p);
    }
}

#[test]
fn the_same_corrections_give_the_same_model() {
    let base = finetune::params_from_onnx(&committed()).unwrap();
    let corrections = person(5, 1);
    let none = Samples {
        images: &[],
        labels: &[],
    };
    let options = Options {
        steps: 5,
        ..Options::default()
    };
    let a = finetune::fine_tune(&base, &corrections, none, &options, |_, _| {})
        .unwrap()
        .0;
    let b = finetune::fine_tune(&base, &corrections, none, &options, |_, _| {})
        .unwrap()
        .0;
    assert_eq!(a, b);
    assert_ne!(a, base);
}

#[test]
fn paper_connection_table_survives_the_round_trip() {
    let params = Params::init(4, C3Mode::Paper);
    let bytes = export::to_bytes(&params, &[]);
    let back = finetune::params_from_onnx(&bytes).unwrap();
    assert_eq!(back.c3, C3Mode::Paper);
    let tuned = finetune::fine_tune(
        &back,
        &person(9, 1),
        Samples {
            images: &[],
            labels: &[],
        },
        &Options {
            steps: 3,
            freeze_convolutions: false,
            ..Options::default()
        },
        |_, _| {},
    )
    .unwrap()
    .0;
    let mask = Params::c3_mask(C3Mode::Paper);
    let c3 = lenet5::train::net::tensors()
        .into_iter()
        .find(|t| t.name == "c3.weight")
        .unwrap();
    let w = &tuned.data[c3.offset..][..c3.len];
    assert!(
        w.iter().zip(&mask).all(|(v, m)| *m == 1.0 || *v == 0.0),
        "a cut C3 connection grew"
    );
}

#[test]
fn bad_models_and_corrections_are_refused_in_words() {
    let model = committed();
    let base = finetune::params_from_onnx(&model).unwrap();
    let none = Samples {
        images: &[],
        labels: &[],
    };
    let tune = |c: &[Correction]| finetune::fine_tune(&base, c, none, &Options::default(), |_, _| {});
    let good = person(3, 1).remove(0);
    let cases: Vec<(Vec<Correction>, &str)> = vec![
        (vec![], "no corrections"),
        (
            vec![Correction {
                input: vec![0.5; 1000],
                label: 1,
                ..Default::default()
            }],
            "1000 values",
        ),
        (
            vec![Correction {
                label: 10,
                ..good.clone()
            }],
            "labelled 10",
        ),
        (
            vec![Correction {
                input: {
                    let mut v = good.input.clone();
                    v[7] = f32::NAN;
                    v
                },
                label: 3,
                ..Default::default()
            }],
            "NaN",
        ),
    ];
    for (c, want) in cases {
        match tune(&c) {
            Err(Error::Input(msg)) => assert!(msg.contains(want), "{msg:?} should mention {want:?}"),
            other => panic!("{want}: {other:?}"),
        }
    }
    let foreign = |bytes: &[u8], want: &str| match finetune::params_from_onnx(bytes) {
        Err(Error::Model(msg)) => assert!(msg.contains(want), "{msg:?} should mention {want:?}"),
        other => panic!("{want}: {other:?}"),
    };
    foreign(&[], "has no graph");
    foreign(&model[..model.len() / 2], "not a readable ONNX file");
    foreign(b"not a model at all", "not a readable ONNX file");
    // Our weights under another graph, and another graph's weights.
    use prost::Message;
    let mut m = export::to_model(&base, &[]);
    m.graph.as_mut().unwrap().node.swap(1, 2);
    foreign(&m.encode_to_vec(), "layers differ");
    let mut m = export::to_model(&base, &[]);
    m.graph.as_mut().unwrap().initializer.retain(|t| t.name != "f6.bias");
    foreign(&m.encode_to_vec(), "no weights named f6.bias");
    let mut m = export::to_model(&base, &[]);
    m.graph.as_mut().unwrap().initializer[1].raw_data[0..4].copy_from_slice(&f32::NAN.to_le_bytes());
    foreign(&m.encode_to_vec(), "NaN");
    for bad in [&b""[..], &[1, 0, 5][..], &[1, 0][..]] {
        assert!(matches!(finetune::parse_replay(bad), Err(Error::Input(_))));
    }
}
