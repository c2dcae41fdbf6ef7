//! A picture of the MNIST test digits a model reads wrong, sorted by true digit then answer,
//! with the pairs printed in the same order (`7>1`: a 7 read as 1): to see whether the errors are
//! digits a person would doubt too, or a kind of drawing the training data pulls the wrong way.
//! Writes a PGM (`OUT`, default `target/misreads.pgm`), 12 digits a row.
//!
//! `cargo run --release --example misreads -- MODEL [OUT [MNIST_DIR]]` (MNIST_DIR defaults to
//! `../shared/data/mnist`)

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;

use lenet5::{Recognizer, train::mnist};

const COLS: usize = 12;
const CELL: usize = 30;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(model) = args.first() else {
        eprintln!("usage: misreads MODEL [OUT [MNIST_DIR]]");
        std::process::exit(2);
    };
    let out = args.get(1).cloned().unwrap_or_else(|| "target/misreads.pgm".into());
    let dir = args
        .get(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| common::repo_root().join("../shared/data/mnist"));
    let bytes = std::fs::read(model).unwrap_or_else(|e| panic!("{model}: {e}"));
    let mut r = Recognizer::new(&bytes).expect("the model loads");
    let data = mnist::load_dir(&dir).unwrap_or_else(|e| panic!("MNIST at {}: {e}", dir.display()));

    let mut input = vec![0f32; 1024];
    let mut wrong: Vec<(u8, u8, &[u8])> = Vec::new();
    for (img, &label) in data.test.images.chunks_exact(784).zip(&data.test.labels) {
        lenet5::train::augment::place(img, &mut input);
        let p = r.predict(&input).expect("predict");
        let (best, _) = lenet5::recognizer::argmax(&p);
        if best != label {
            wrong.push((label, best, img));
        }
    }
    wrong.sort_by_key(|&(label, best, _)| (label, best));

    let mut pairs: BTreeMap<(u8, u8), usize> = BTreeMap::new();
    for &(label, best, _) in &wrong {
        *pairs.entry((label, best)).or_default() += 1;
    }
    println!("{} of {} read wrong:", wrong.len(), data.test.labels.len());
    let mut common: Vec<_> = pairs.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((label, best), n) in common {
        println!("  {label} read as {best}: {n}");
    }

    let (w, h) = (COLS * CELL, wrong.len().div_ceil(COLS).max(1) * CELL);
    let mut pixels = vec![255u8; w * h];
    for (i, (_, _, img)) in wrong.iter().enumerate() {
        let (ox, oy) = ((i % COLS) * CELL, (i / COLS) * CELL);
        for (y, row) in img.chunks_exact(28).enumerate() {
            for (x, &v) in row.iter().enumerate() {
                pixels[(oy + y) * w + ox + x] = 255 - v;
            }
        }
    }
    let mut pgm = format!("P5 {w} {h} 255\n").into_bytes();
    pgm.extend(pixels);
    std::fs::write(&out, pgm).unwrap_or_else(|e| panic!("{out}: {e}"));
    println!("wrote {out} ({w}x{h})");
}
