//! Every input in `tests/fuzz-regressions/<target>/` (crashers the fuzz targets of `crate/fuzz/`
//! found, plus hand-made edge cases) goes through the same check as in the fuzz target: the
//! checks are compiled from the fuzz crate's own source. `scripts/fuzz.sh` also seeds the fuzzers
//! with these files.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz;

use std::path::PathBuf;

use prost::Message;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression inputs in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// Runs `check` on every input of `target`, and names all those that fail.
fn run(target: &str, check: fn(&[u8])) {
    let failed: Vec<String> = inputs(target)
        .into_iter()
        .filter(|(name, bytes)| {
            eprintln!("{target}/{name} ({} bytes)", bytes.len());
            std::panic::catch_unwind(|| check(bytes)).is_err()
        })
        .map(|(name, _)| name)
        .collect();
    assert!(failed.is_empty(), "{target}: failed on {failed:?}");
}

#[test]
fn model_load() {
    run("model_load", fuzz::check_model);
}

#[test]
fn model_mutate() {
    run("model_mutate", fuzz::check_model_mutation);
}

#[test]
fn preprocess() {
    run("preprocess", fuzz::check_preprocess);
}

#[test]
fn segment() {
    run("segment", fuzz::check_segment);
}

/// The pen-stroke path on every saved input (of its own target and of `segment`'s, read as
/// strokes: the same bytes reach other code there).
#[test]
fn strokes() {
    run("strokes", fuzz::check_strokes);
    run("segment", fuzz::check_strokes);
}

#[test]
fn segment_with_the_committed_model() {
    run("segment", fuzz::check_segment_recognizer);
}

/// The small models `model_mutate` starts from load and honour the contract, and the copies in
/// `fuzz-regressions/model_load/` (the `model_load` fuzzer's seeds) are up to date.
#[test]
fn small_models_load_and_match_their_seed_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/model_load");
    for m in fuzz::small_models() {
        let name = m.graph.as_ref().unwrap().name.clone();
        let bytes = m.encode_to_vec();
        let mut r = lenet5::Recognizer::new(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let p = r.predict(&[0.25; lenet5::onnx::contract::INPUT_LEN]).unwrap();
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-3, "{name}: {p:?}");
        let file = dir.join(format!("small-{name}.onnx"));
        if std::env::var_os("LENET5_WRITE_FUZZ_SEEDS").is_some() {
            std::fs::write(&file, &bytes).unwrap();
        }
        let saved = std::fs::read(&file).unwrap_or_default();
        assert!(
            saved == bytes,
            "{} is out of date: rerun with LENET5_WRITE_FUZZ_SEEDS=1",
            file.display()
        );
    }
    // The committed model loads as it is (`model_mutate` input [3]: no edits).
    fuzz::check_model_mutation(&[fuzz::base_models().len() as u8 - 1]);
}
