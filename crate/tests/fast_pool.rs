//! Our 2x2 pooling op (`infer::ops::pool`) must compute exactly what tract's MaxPool does, and stand in
//! for it only where it can.

mod common;

use lenet5::infer::general::rewrite::install_pools;
use lenet5::infer::ops::pool;
use rand::{RngExt, SeedableRng};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::tract_core::ops::cnn::{MaxPool, PaddingSpec, PoolSpec};
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;

/// A graph of one tract MaxPool over a float32 input of `shape`.
fn pool_graph(shape: [usize; 4], kernel: [usize; 2], strides: [usize; 2], padding: PaddingSpec) -> TypedModel {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact(shape)).unwrap();
    let spec = PoolSpec::new(
        DataFormat::NCHW,
        kernel[..].into(),
        padding,
        None,
        Some(strides[..].into()),
        shape[1],
        shape[1],
    );
    let y = model.wire_node("pool", MaxPool::new(spec, None), &[x]).unwrap();
    model.select_output_outlets(&y).unwrap();
    model
}

fn run(model: TypedModel, input: &Tensor) -> Tensor {
    let plan = model.into_optimized().unwrap().into_runnable().unwrap();
    let out = plan.run(tvec![input.clone().into_tvalue()]).unwrap();
    out[0].clone().into_tensor()
}

fn floats(t: &Tensor) -> Vec<f32> {
    t.try_as_plain_ram().unwrap().as_slice::<f32>().unwrap().to_vec()
}

#[test]
fn same_bits_as_tracts_max_pool() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    // LeNet-5's S2 and S4, a batch, odd sides (the last row and column are dropped), the smallest.
    for shape in [
        [1, 6, 28, 28],
        [1, 16, 10, 10],
        [3, 4, 7, 9],
        [1, 1, 2, 2],
        [2, 1, 3, 2],
    ] {
        let len: usize = shape.iter().product();
        // Ties and negative values included: every window's maximum must be tract's.
        let values: Vec<f32> = (0..len).map(|_| (rng.random_range(-8i32..8) as f32) * 0.25).collect();
        let input = Tensor::from_shape(&shape, &values).unwrap();
        let theirs = run(pool_graph(shape, [2, 2], [2, 2], PaddingSpec::Valid), &input);
        let mut model = pool_graph(shape, [2, 2], [2, 2], PaddingSpec::Valid);
        assert_eq!(install_pools(&mut model).unwrap(), 1, "{shape:?}");
        let ours = run(model, &input);
        assert_eq!(ours.shape(), theirs.shape(), "{shape:?}");
        let (a, b) = (floats(&ours), floats(&theirs));
        assert!(
            a.iter().zip(&b).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{shape:?}: {a:?} vs {b:?}"
        );
    }
}

#[test]
fn other_pools_stay_tracts() {
    let shape = [1, 2, 8, 8];
    for (kernel, strides, padding) in [
        ([3, 3], [2, 2], PaddingSpec::Valid),
        ([2, 2], [1, 1], PaddingSpec::Valid),
        ([2, 2], [2, 2], PaddingSpec::Explicit(tvec![1, 1], tvec![1, 1])),
        (
            [2, 2],
            [2, 2],
            PaddingSpec::ExplicitOnnxPool(tvec![0, 0], tvec![0, 0], true),
        ),
        ([2, 2], [2, 2], PaddingSpec::SameUpper),
    ] {
        let mut model = pool_graph(shape, kernel, strides, padding.clone());
        assert_eq!(
            install_pools(&mut model).unwrap(),
            0,
            "{kernel:?} {strides:?} {padding:?}"
        );
    }
}

#[test]
fn refuses_a_wrong_length_instead_of_panicking() {
    assert!(pool::pool(&[0.0; 5], [1, 1, 2, 2]).is_err());
    let empty = pool::pool(&[1.0, 2.0], [1, 1, 1, 2]).unwrap();
    assert_eq!(empty.shape(), &[1, 1, 0, 1]);
}
