//! The graph rewrites (`rewrite.rs`) against tract's own path: same results, applied only where
//! they are equivalent.

mod common;

use lenet5::mnist;
use lenet5::model::{INPUT_LEN, INPUT_SIDE, Model};
use lenet5::rewrite;
use rand::{RngExt, SeedableRng};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::tract_core::ops::cnn::{Conv, KernelFormat, PaddingSpec, PoolSpec};
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;

fn floats(t: &Tensor) -> Vec<f32> {
    t.try_as_plain_ram().unwrap().as_slice::<f32>().unwrap().to_vec()
}

/// One convolution, `c_in` → `c_out` maps, random weights and bias.
fn conv_graph(c_in: usize, c_out: usize, side: usize, k: usize, stride: usize, padding: PaddingSpec) -> TypedModel {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(c_out as u64 * 31 + k as u64);
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, c_in, side, side])).unwrap();
    let w: Vec<f32> = (0..c_out * c_in * k * k).map(|_| rng.random_range(-1.0..1.0)).collect();
    let b: Vec<f32> = (0..c_out).map(|_| rng.random_range(-1.0..1.0)).collect();
    let w = model
        .add_const("w", Tensor::from_shape(&[c_out, c_in, k, k], &w).unwrap())
        .unwrap();
    let b = model.add_const("b", Tensor::from_shape(&[c_out], &b).unwrap()).unwrap();
    let spec = PoolSpec::new(
        DataFormat::NCHW,
        tvec![k, k],
        padding,
        None,
        Some(tvec![stride, stride]),
        c_in,
        c_out,
    );
    let y = model
        .wire_node("conv", Conv::new(spec, KernelFormat::OIHW, 1, None), &[x, w, b])
        .unwrap();
    model.select_output_outlets(&y).unwrap();
    model
}

fn run(model: TypedModel, input: &Tensor) -> Vec<f32> {
    let plan = model.into_optimized().unwrap().into_runnable().unwrap();
    floats(
        &plan.run(tvec![input.clone().into_tvalue()]).unwrap()[0]
            .clone()
            .into_tensor(),
    )
}

#[test]
fn one_channel_convs_turned_depthwise_give_the_same_maps() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    for (c_out, side, k, stride, padding) in [
        (6, 32, 5, 1, PaddingSpec::Valid), // LeNet-5's C1
        (4, 17, 3, 2, PaddingSpec::Valid),
        (3, 12, 5, 1, PaddingSpec::Explicit(tvec![2, 2], tvec![2, 2])),
        (8, 9, 3, 1, PaddingSpec::SameUpper),
    ] {
        let x: Vec<f32> = (0..side * side).map(|_| rng.random_range(0.0..1.0)).collect();
        let x = Tensor::from_shape(&[1, 1, side, side], &x).unwrap();
        let theirs = run(conv_graph(1, c_out, side, k, stride, padding.clone()), &x);
        let mut model = conv_graph(1, c_out, side, k, stride, padding.clone());
        assert_eq!(rewrite::fan_out_one_channel_convs(&mut model).unwrap(), 1);
        let optimised = model.clone().into_optimized().unwrap();
        assert!(
            format!("{optimised}").contains("DepthWise"),
            "tract runs it as a depthwise conv"
        );
        let ours = run(model, &x);
        assert_eq!(ours.len(), theirs.len());
        let worst = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-5, "{c_out} maps, {k}x{k}, {padding:?}: differs by {worst}");
    }
}

#[test]
fn convs_of_several_channels_stay_as_they_are() {
    let mut model = conv_graph(6, 16, 14, 5, 1, PaddingSpec::Valid); // LeNet-5's C3
    assert_eq!(rewrite::fan_out_one_channel_convs(&mut model).unwrap(), 0);
    let mut model = conv_graph(1, 1, 8, 3, 1, PaddingSpec::Valid); // one map: nothing to fan out
    assert_eq!(rewrite::fan_out_one_channel_convs(&mut model).unwrap(), 0);
}

/// The committed model through `Model` (every rewrite) and through tract alone, on the 500-digit
/// MNIST fixture: the same digits, probabilities within float rounding.
#[test]
fn committed_model_reads_the_same_with_and_without_them() {
    let bytes = std::fs::read(common::repo_root().join("model/lenet5.onnx")).unwrap();
    let typed = || {
        lenet5::onnx_ops::onnx()
            .model_for_read(&mut std::io::Cursor::new(&bytes))
            .unwrap()
            .with_input_fact(0, f32::fact([1, 1, INPUT_SIDE, INPUT_SIDE]).into())
            .unwrap()
            .into_typed()
            .unwrap()
    };
    let applied = rewrite::apply(&mut typed()).unwrap();
    assert_eq!(applied, rewrite::Rewrites { pools: 2, convs: 1 }, "S2, S4 and C1");
    let mut ours = Model::from_bytes(&bytes).unwrap();
    let plain = typed().into_optimized().unwrap().into_runnable().unwrap();
    let test = mnist::load_dir(&common::mini_mnist()).unwrap().test;
    let mut input = vec![0f32; INPUT_LEN];
    let mut worst = 0f32;
    for i in 0..test.len() {
        lenet5::augment::place(test.image(i), &mut input);
        let p = ours.predict(&input).unwrap();
        let t = Tensor::from_shape(&[1, 1, INPUT_SIDE, INPUT_SIDE], &input).unwrap();
        let q = floats(&plain.run(tvec![t.into_tvalue()]).unwrap()[0].clone().into_tensor());
        assert_eq!(lenet5::net::argmax(&p), lenet5::net::argmax(&q), "digit {i}");
        worst = p.iter().zip(&q).map(|(a, b)| (a - b).abs()).fold(worst, f32::max);
    }
    assert!(worst < 1e-5, "probabilities differ by up to {worst}");
}
