//! Rewrites a model written by `export-onnx` with its weight matrices stored at another
//! precision (what `export-onnx --precision f32|f16|i8` writes), without retraining: the same
//! network, its weights rounded as that file stores them. Measures the rounded network on the
//! 10,000 MNIST test digits (the `accuracy` metadata is replaced by that), and checks tract on
//! the new file against the trainer's arithmetic on the rounded weights (|Δp| ≤ 1e-5 on every
//! test digit) before writing.
//!
//! `cargo run --release --example store_weights -- IN.onnx OUT.onnx [i8|f16|f32] [MNIST_DIR]`
//! (default i8, MNIST_DIR `../shared/data/mnist`).

use lenet5::Model;
use lenet5::onnx::contract::{CLASSES, INPUT_LEN};
use lenet5::train::export::{self, Precision};
use lenet5::train::finetune;
use lenet5::train::mnist;
use lenet5::train::net::argmax;
use lenet5::train::trainer::{evaluate, predict_all};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = || -> ! {
        eprintln!("usage: store_weights IN.onnx OUT.onnx [i8|f16|f32] [MNIST_DIR]");
        std::process::exit(2);
    };
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        usage()
    };
    let precision = match args.get(3).map(String::as_str) {
        None | Some("i8") => Precision::I8,
        Some("f16") => Precision::F16,
        Some("f32") => Precision::F32,
        Some(_) => usage(),
    };
    let dir = args.get(4).cloned().unwrap_or_else(|| "../shared/data/mnist".into());
    let bytes = std::fs::read(input).expect("read the input model");
    let params = finetune::params_from_onnx(&bytes).expect("a model written by export-onnx");
    let test = mnist::load_dir(std::path::Path::new(&dir)).expect("MNIST").test;
    let samples = test.samples();
    let before = evaluate(&params, samples);
    let rounded = export::rounded(&params, precision);
    let after = evaluate(&rounded, samples);
    let mut metadata: Vec<(String, String)> = finetune::onnx_metadata(&bytes)
        .into_iter()
        .filter(|(k, _)| k != "weights")
        .map(|(k, v)| {
            if k == "accuracy" {
                (k, format!("{:.4}", after.accuracy))
            } else {
                (k, v)
            }
        })
        .collect();
    metadata.push(("weights".into(), precision.name().into()));
    let out = export::to_bytes_as(&rounded, &metadata, precision);

    let mut model = Model::from_bytes(&out).expect("tract loads the new model");
    let ours = predict_all(&rounded, samples);
    let theirs = predict_all(&params, samples);
    let (mut max_diff, mut right, mut changed) = (0f32, 0usize, 0usize);
    let mut x = vec![0f32; INPUT_LEN];
    for i in 0..test.len() {
        lenet5::train::augment::place(test.image(i), &mut x);
        let p = model.predict(&x).unwrap();
        right += usize::from(argmax(&p) == usize::from(test.label(i)));
        changed += usize::from(argmax(&p) != argmax(&theirs[i * CLASSES..][..CLASSES]));
        for (a, b) in p.iter().zip(&ours[i * CLASSES..][..CLASSES]) {
            max_diff = max_diff.max((a - b).abs());
        }
    }
    assert!(max_diff <= 1e-5, "tract differs from the trainer by {max_diff}");
    std::fs::write(output, &out).expect("write the output model");
    println!(
        "{input} ({} bytes, {:.2}%) -> {output} ({} bytes): {} weights {:.2}% (trainer) = {:.2}% (tract), \
         max |Δp| {max_diff:.1e} over {} digits; {changed} digits read differently than before",
        bytes.len(),
        100.0 * before.accuracy,
        out.len(),
        precision.name(),
        100.0 * after.accuracy,
        100.0 * right as f64 / test.len() as f64,
        test.len()
    );
}
