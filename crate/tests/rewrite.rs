//! The graph rewrites (`infer/general/rewrite.rs`) on the committed model against tract's own path: the same
//! readings. Each rewrite's own cases are in `tests/fast_pool.rs` and `tests/direct_conv.rs`.

mod common;

use lenet5::infer::general::rewrite;
use lenet5::train::mnist;
use lenet5::{
    Model,
    onnx::contract::{INPUT_LEN, INPUT_SIDE},
};
use tract_onnx::prelude::*;

fn floats(t: &Tensor) -> Vec<f32> {
    t.try_as_plain_ram().unwrap().as_slice::<f32>().unwrap().to_vec()
}

/// The committed model through `Model` (this target's rewrites), through every rewrite (what
/// the browser runs: C1 and C3 as `DirectConv`, S2 and S4 as `MaxPool2x2`) and through tract
/// alone, on the 500-digit MNIST fixture: the same digits, probabilities within float rounding.
#[test]
fn committed_model_reads_the_same_with_and_without_them() {
    let bytes = std::fs::read(common::repo_root().join("model/lenet5.onnx")).unwrap();
    let typed = || {
        lenet5::infer::general::registry::onnx()
            .model_for_read(&mut std::io::Cursor::new(&bytes))
            .unwrap()
            .with_input_fact(0, f32::fact([1, 1, INPUT_SIDE, INPUT_SIDE]).into())
            .unwrap()
            .into_typed()
            .unwrap()
    };
    let applied = rewrite::apply(&mut typed()).unwrap();
    let convs = if cfg!(target_arch = "wasm32") { 3 } else { 0 };
    assert_eq!(
        applied,
        rewrite::Rewrites { pools: 2, convs },
        "S2, S4 (and C1, C3, C5 in wasm)"
    );
    let mut browser = typed();
    // C3's bias reaches it through a Cast, which `rewrite::constant` folds.
    assert_eq!(
        lenet5::infer::general::rewrite::install_convs(&mut browser).unwrap(),
        3,
        "C1, C3 and C5"
    );
    assert_eq!(
        lenet5::infer::general::rewrite::install_pools(&mut browser).unwrap(),
        2,
        "S2 and S4"
    );
    let browser = browser.into_optimized().unwrap().into_runnable().unwrap();
    let mut ours = Model::from_bytes(&bytes).unwrap();
    let plain = typed().into_optimized().unwrap().into_runnable().unwrap();
    let test = mnist::load_dir(&common::mini_mnist()).unwrap().test;
    let mut input = vec![0f32; INPUT_LEN];
    let mut worst = 0f32;
    for i in 0..test.len() {
        lenet5::train::augment::place(test.image(i), &mut input);
        let p = ours.predict(&input).unwrap();
        let t = Tensor::from_shape(&[1, 1, INPUT_SIDE, INPUT_SIDE], &input).unwrap();
        let q = floats(
            &plain.run(tvec![t.clone().into_tvalue()]).unwrap()[0]
                .clone()
                .into_tensor(),
        );
        let b = floats(&browser.run(tvec![t.into_tvalue()]).unwrap()[0].clone().into_tensor());
        for other in [&p[..], &b[..]] {
            assert_eq!(
                lenet5::train::net::argmax(other),
                lenet5::train::net::argmax(&q),
                "digit {i}"
            );
            worst = other.iter().zip(&q).map(|(a, b)| (a - b).abs()).fold(worst, f32::max);
        }
    }
    assert!(worst < 1e-5, "probabilities differ by up to {worst}");
}
