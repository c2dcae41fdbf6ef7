//! Measures learning a person's handwriting (the page's "teach" path) natively, with the same
//! fine-tuning code the page's worker runs: a simulated person (`tests/common/person.rs`) whose
//! habits MNIST rarely shows; 20 held-out samples per digit; teaching with 1, 5, 20 and 50
//! corrections (the first drawings of the teaching set the original model misreads, as a
//! person would correct them); accuracy on the held-out drawings and on the 10,000 MNIST test
//! digits before and after, for several forgetting guards.
//!
//! `cargo run --release --example personalise [-- --data DIR] [--write-replay FILE]`
//! (default data `../shared/data/mnist`). `--write-replay` writes the MNIST replay sample the
//! page ships (100 training digits per class, gzip) and exits; `--write-personal FILE` saves the
//! personal model the page's defaults learn from 50 corrections (to check it in other runtimes).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/person.rs"]
mod person;

use std::io::Write;
use std::time::Instant;

use lenet5::Recognizer;
use lenet5::onnx::contract::{CLASSES, INPUT_LEN};
use lenet5::train::finetune::{self, Correction, Options};
use lenet5::train::mnist;
use lenet5::train::net::{Params, argmax};
use lenet5::train::trainer::{Samples, evaluate};

const SIDE: usize = 280;

fn accuracy(params: &Params, set: &[Correction]) -> f64 {
    person::right(params, set) as f64 / set.len() as f64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let root = common::repo_root();
    let dir = flag("--data")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/mnist"));
    let data = mnist::load_dir(&dir).unwrap_or_else(|e| panic!("MNIST in {}: {e}", dir.display()));

    // The replay sample: the first 100 training digits of each class.
    let mut picked = Vec::new();
    let mut count = [0usize; CLASSES];
    for i in 0..data.train.len() {
        let l = usize::from(data.train.label(i));
        if count[l] < 100 {
            count[l] += 1;
            picked.push(i);
        }
    }
    let images: Vec<u8> = picked
        .iter()
        .flat_map(|&i| data.train.image(i).iter().copied())
        .collect();
    let labels: Vec<u8> = picked.iter().map(|&i| data.train.label(i)).collect();
    if let Some(path) = flag("--write-replay") {
        let packed = finetune::pack_replay(&images, &labels);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&packed).unwrap();
        let bytes = gz.finish().unwrap();
        std::fs::write(&path, &bytes).unwrap();
        println!(
            "wrote {path}: {} digits, {} bytes ({} unpacked)",
            labels.len(),
            bytes.len(),
            packed.len()
        );
        return;
    }
    let replay = Samples {
        images: &images,
        labels: &labels,
    };

    let model = std::fs::read(root.join("model/lenet5.onnx")).expect("model/lenet5.onnx");
    let base = finetune::params_from_onnx(&model).expect("the committed model");
    let test = data.test.samples();
    let seed: u64 = flag("--seed").and_then(|s| s.parse().ok()).unwrap_or(2026);
    let held = person::corrections(seed, 20, SIDE);
    let teach_pool = person::corrections(seed + 1, 10, SIDE);
    let base_preds = person::predict(&base, &teach_pool);
    let misread: Vec<&Correction> = teach_pool
        .iter()
        .zip(&base_preds)
        .filter(|(c, p)| **p != usize::from(c.label))
        .map(|(c, _)| c)
        .collect();
    let rest: Vec<&Correction> = teach_pool
        .iter()
        .zip(&base_preds)
        .filter(|(c, p)| **p == usize::from(c.label))
        .map(|(c, _)| c)
        .collect();
    let base_mnist = evaluate(&base, test).accuracy;
    println!(
        "person seed {seed}: held-out {} drawings, teaching pool {} ({} misread by the original model)",
        held.len(),
        teach_pool.len(),
        misread.len()
    );
    let mut per_digit = [0usize; CLASSES];
    for (c, p) in held.iter().zip(person::predict(&base, &held)) {
        if p == usize::from(c.label) {
            per_digit[usize::from(c.label)] += 1;
        }
    }
    println!(
        "original model: person {:.1}% (per digit, of 20: {per_digit:?}), MNIST test {:.2}%",
        accuracy(&base, &held) * 100.0,
        base_mnist * 100.0
    );

    let grid: Vec<(String, Options)> = if args.iter().any(|a| a == "--grid") {
        let mut g = Vec::new();
        for lr in [3e-4f32, 1e-3] {
            for anchor in [10f32, 100.0] {
                for freeze in [false, true] {
                    g.push((
                        format!("lr {lr} anchor {anchor} freeze {freeze}"),
                        Options {
                            lr,
                            anchor,
                            freeze_convolutions: freeze,
                            ..Options::default()
                        },
                    ));
                }
            }
        }
        g
    } else {
        Vec::new()
    };
    let grid_names: Vec<(&str, Options)> = grid.iter().map(|(n, o)| (n.as_str(), o.clone())).collect();
    let plain = Options {
        replay_per_step: 0,
        anchor: 0.0,
        freeze_convolutions: false,
        ..Options::default()
    };
    let frozen = Options {
        freeze_convolutions: true,
        ..plain.clone()
    };
    let default_guards: Vec<(&str, Options)> = vec![
        ("plain: every layer, no guard", plain),
        ("C1/C3 frozen", frozen.clone()),
        (
            "frozen + anchor",
            Options {
                anchor: Options::default().anchor,
                ..frozen.clone()
            },
        ),
        (
            "frozen + replay",
            Options {
                replay_per_step: Options::default().replay_per_step,
                ..frozen
            },
        ),
        ("frozen + replay + anchor (page)", Options::default()),
    ];
    let guards = if grid_names.is_empty() {
        default_guards
    } else {
        grid_names
    };
    println!("\n| guard | corrections | steps | person held-out | MNIST test | fine-tune (native, 1 thread) |");
    println!("|---|---|---|---|---|---|");
    for (name, options) in &guards {
        for k in [1usize, 5, 20, 50] {
            let corrections: Vec<Correction> = misread
                .iter()
                .chain(rest.iter())
                .take(k)
                .map(|c| (*c).clone())
                .collect();
            let t = Instant::now();
            let (tuned, report) =
                finetune::fine_tune(&base, &corrections, replay, options, |_, _| {}).expect("fine-tune");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let mnist_acc = evaluate(&tuned, test).accuracy;
            println!(
                "| {name} | {k} | {} | {:.1}% -> {:.1}% | {:.2}% -> {:.2}% ({:+.2}) | {ms:.0} ms |",
                report.steps,
                accuracy(&base, &held) * 100.0,
                accuracy(&tuned, &held) * 100.0,
                base_mnist * 100.0,
                mnist_acc * 100.0,
                (mnist_acc - base_mnist) * 100.0
            );
            if name.ends_with("(page)") && k == 50 {
                // The page reads with tract: check the written file says the same.
                let bytes = finetune::personal_onnx(&tuned, &finetune::onnx_metadata(&model), k);
                if let Some(path) = flag("--write-personal") {
                    std::fs::write(&path, &bytes).unwrap();
                    println!("  (wrote this personal model to {path})");
                }
                let mut r = Recognizer::new(&bytes).expect("the personal model loads in tract");
                let agree = held
                    .iter()
                    .zip(person::predict(&tuned, &held))
                    .filter(|(c, p)| argmax(&r.predict(&c.input[..INPUT_LEN]).unwrap()) == *p)
                    .count();
                println!(
                    "  (tract on the written personal model agrees on {agree}/{} held-out drawings)",
                    held.len()
                );
            }
        }
    }
}
