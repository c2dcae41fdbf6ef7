//! `direct_conv.rs` against tract's own convolution: the same maps (to float rounding) wherever
//! it is installed, and tract's op left in place wherever it does not apply.

use lenet5::infer::general::rewrite::install_convs;
use lenet5::infer::ops::conv::{DirectConv, Geometry};
use rand::{RngExt, SeedableRng};
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::tract_core::ops::cnn::{Conv, KernelFormat, PaddingSpec, PoolSpec};
use tract_onnx::tract_hir::tract_core::ops::nn::DataFormat;

/// One convolution of `[n, c_in, side, side]` into `c_out` maps with random weights and bias;
/// weights where `connected(map, channel)` is false are exactly zero (LeNet-5's C3 table).
struct Case {
    n: usize,
    c_in: usize,
    c_out: usize,
    side: usize,
    kernel: [usize; 2],
    padding: PaddingSpec,
    strides: [usize; 2],
    dilations: [usize; 2],
    group: usize,
    connected: fn(usize, usize) -> bool,
}

impl Case {
    fn new(c_in: usize, c_out: usize, side: usize, k: usize) -> Case {
        Case {
            n: 1,
            c_in,
            c_out,
            side,
            kernel: [k, k],
            padding: PaddingSpec::Valid,
            strides: [1, 1],
            dilations: [1, 1],
            group: 1,
            connected: |_, _| true,
        }
    }

    fn graph(&self) -> TypedModel {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64((self.c_out * 31 + self.side) as u64);
        let [kh, kw] = self.kernel;
        let per_group = self.c_in / self.group;
        let mut model = TypedModel::default();
        let x = model
            .add_source("x", f32::fact([self.n, self.c_in, self.side, self.side]))
            .unwrap();
        let w: Vec<f32> = (0..self.c_out * per_group * kh * kw)
            .map(|i| {
                let (map, channel) = (i / (per_group * kh * kw), i / (kh * kw) % per_group);
                let w = rng.random_range(-1.0..1.0);
                if (self.connected)(map, channel) { w } else { 0.0 }
            })
            .collect();
        let b: Vec<f32> = (0..self.c_out).map(|_| rng.random_range(-1.0..1.0)).collect();
        let w = model
            .add_const("w", Tensor::from_shape(&[self.c_out, per_group, kh, kw], &w).unwrap())
            .unwrap();
        let b = model
            .add_const("b", Tensor::from_shape(&[self.c_out], &b).unwrap())
            .unwrap();
        let spec = PoolSpec::new(
            DataFormat::NCHW,
            tvec![kh, kw],
            self.padding.clone(),
            Some(self.dilations[..].into()),
            Some(self.strides[..].into()),
            self.c_in,
            self.c_out,
        );
        let conv = Conv::new(spec, KernelFormat::OIHW, self.group, None);
        let y = model.wire_node("conv", conv, &[x, w, b]).unwrap();
        model.select_output_outlets(&y).unwrap();
        model
    }

    fn input(&self) -> Tensor {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.side as u64);
        let len = self.n * self.c_in * self.side * self.side;
        let x: Vec<f32> = (0..len).map(|_| rng.random_range(0.0..1.0)).collect();
        Tensor::from_shape(&[self.n, self.c_in, self.side, self.side], &x).unwrap()
    }
}

fn run(model: TypedModel, input: &Tensor) -> Tensor {
    let plan = model.into_optimized().unwrap().into_runnable().unwrap();
    plan.run(tvec![input.clone().into_tvalue()]).unwrap()[0]
        .clone()
        .into_tensor()
}

fn floats(t: &Tensor) -> Vec<f32> {
    t.try_as_plain_ram().unwrap().as_slice::<f32>().unwrap().to_vec()
}

/// LeCun et al. 1998, Table I: which S2 maps (channels) each C3 map sees.
fn paper_table(map: usize, channel: usize) -> bool {
    const TABLE: [&[usize]; 16] = [
        &[0, 1, 2],
        &[1, 2, 3],
        &[2, 3, 4],
        &[3, 4, 5],
        &[4, 5, 0],
        &[5, 0, 1],
        &[0, 1, 2, 3],
        &[1, 2, 3, 4],
        &[2, 3, 4, 5],
        &[3, 4, 5, 0],
        &[4, 5, 0, 1],
        &[5, 0, 1, 2],
        &[0, 1, 3, 4],
        &[1, 2, 4, 5],
        &[0, 2, 3, 5],
        &[0, 1, 2, 3, 4, 5],
    ];
    TABLE[map].contains(&channel)
}

#[test]
fn same_maps_as_tracts_conv() {
    let explicit = |a: usize, b: usize| PaddingSpec::Explicit(tvec![a, a], tvec![b, b]);
    let cases = [
        ("LeNet-5 C1", Case::new(1, 6, 32, 5), "spatial"),
        ("LeNet-5 C3, all 96 connections", Case::new(6, 16, 14, 5), "mapwise"),
        (
            "LeNet-5 C3, the paper's 60",
            Case {
                connected: paper_table,
                ..Case::new(6, 16, 14, 5)
            },
            "mapwise",
        ),
        (
            // Sparse enough that skipping zero weights wins: each map sees 3 of the 6 channels.
            "C3's first 6 maps",
            Case {
                connected: paper_table,
                ..Case::new(6, 6, 14, 5)
            },
            "spatial",
        ),
        (
            "padded 3x3, batch of 3",
            Case {
                n: 3,
                padding: explicit(1, 1),
                ..Case::new(3, 4, 12, 3)
            },
            "spatial",
        ),
        (
            "uneven padding, ONNX pool form",
            Case {
                padding: PaddingSpec::ExplicitOnnxPool(tvec![2, 0], tvec![1, 3], false),
                ..Case::new(2, 5, 9, 3)
            },
            "spatial",
        ),
        (
            "3x5 kernel",
            Case {
                kernel: [3, 5],
                ..Case::new(2, 3, 11, 3)
            },
            "spatial",
        ),
        ("40 maps: three groups of 16", Case::new(4, 40, 8, 3), "mapwise"),
        (
            "LeNet-5 C5: 120 maps, a 1x1 output",
            Case::new(16, 120, 5, 5),
            "mapwise",
        ),
        (
            "32 maps at 9 positions: the last one alone",
            Case::new(8, 32, 5, 3),
            "mapwise",
        ),
    ];
    for (name, case, kernel) in cases {
        let x = case.input();
        let theirs = run(case.graph(), &x);
        let mut model = case.graph();
        assert_eq!(install_convs(&mut model).unwrap(), 1, "{name}: installed");
        let op = model.nodes().iter().find_map(|n| n.op_as::<DirectConv>()).unwrap();
        assert_eq!(op.kernel_name(), kernel, "{name}: loop");
        let ours = run(model, &x);
        assert_eq!(ours.shape(), theirs.shape(), "{name}");
        let (ours, theirs) = (floats(&ours), floats(&theirs));
        let worst = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        let scale = theirs.iter().fold(1f32, |m, v| m.max(v.abs()));
        assert!(
            worst <= 1e-6 * scale * 10.0,
            "{name}: differs by {worst} (largest output {scale})"
        );
    }
}

#[test]
fn other_convs_stay_tracts() {
    let cases = [
        (
            "stride 2",
            Case {
                strides: [2, 2],
                ..Case::new(1, 6, 32, 5)
            },
        ),
        (
            "dilation 2",
            Case {
                dilations: [2, 2],
                ..Case::new(1, 6, 32, 3)
            },
        ),
        (
            "2 groups",
            Case {
                group: 2,
                ..Case::new(4, 6, 12, 3)
            },
        ),
        (
            "same padding",
            Case {
                padding: PaddingSpec::SameUpper,
                ..Case::new(3, 4, 12, 3)
            },
        ),
    ];
    for (name, case) in cases {
        let mut model = case.graph();
        assert_eq!(install_convs(&mut model).unwrap(), 0, "{name}");
        assert!(
            model.nodes().iter().any(|n| n.op_is::<Conv>()),
            "{name}: tract's conv is still there"
        );
    }
}

#[test]
fn refuses_inconsistent_sizes_instead_of_panicking() {
    let geometry = Geometry {
        input: [2, 6, 6],
        pads: [0; 4],
        kernel: [3, 3],
        maps: 4,
    };
    assert!(
        DirectConv::new(geometry, &[0.5; 4 * 2 * 9 - 1], &[0.0; 4]).is_err(),
        "one weight short"
    );
    assert!(
        DirectConv::new(geometry, &[0.5; 4 * 2 * 9], &[0.0; 3]).is_err(),
        "three biases for four maps"
    );
    let too_big = Geometry {
        kernel: [7, 3],
        ..geometry
    };
    assert!(
        DirectConv::new(too_big, &[0.5; 4 * 2 * 21], &[0.0; 4]).is_err(),
        "kernel taller than the input"
    );
    // Sizes from a model file that would overflow 32-bit arithmetic or ask for gigabytes.
    let padded = Geometry {
        pads: [usize::MAX / 2, 0, usize::MAX / 2, 0],
        ..geometry
    };
    assert!(
        DirectConv::new(padded, &[0.5; 4 * 2 * 9], &[0.0; 4]).is_err(),
        "padding that overflows"
    );
    let empty = Geometry {
        input: [0, 6, 6],
        ..geometry
    };
    assert!(DirectConv::new(empty, &[], &[0.0; 4]).is_err(), "no input channels");
    let flat = Geometry {
        input: [2, 6, 0],
        kernel: [3, 0],
        ..geometry
    };
    assert!(DirectConv::new(flat, &[], &[0.0; 4]).is_err(), "zero width");
    let huge = Geometry {
        input: [2, 1 << 13, 1 << 13],
        ..geometry
    };
    assert!(
        DirectConv::new(huge, &[0.5; 4 * 2 * 9], &[0.0; 4]).is_err(),
        "a 512 MB input"
    );
    let conv = DirectConv::new(geometry, &[0.5; 4 * 2 * 9], &[0.0]).unwrap();
    let mut out = vec![0f32; 4 * 4 * 4];
    assert!(
        conv.run(&[1.0; 2 * 36 - 1], 1, &mut out).is_err(),
        "input one value short"
    );
    assert!(
        conv.run(&[1.0; 2 * 36], 1, &mut out[1..]).is_err(),
        "output one value short"
    );
    conv.run(&[1.0; 2 * 36], 1, &mut out).unwrap();
    assert!(
        out.iter().all(|&v| (v - 9.0).abs() < 1e-6),
        "2 channels x 9 taps x 0.5 = 9: {out:?}"
    );
}

/// Weights fed at run time (a second graph input) are not constants: tract's conv stays, and
/// looking for them is not an error.
#[test]
fn weights_from_a_graph_input_stay_tracts() {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, 1, 8, 8])).unwrap();
    let w = model.add_source("w", f32::fact([2, 1, 3, 3])).unwrap();
    let b = model.add_const("b", tensor1(&[0.5f32, -0.5])).unwrap();
    let spec = PoolSpec::new(DataFormat::NCHW, tvec![3, 3], PaddingSpec::Valid, None, None, 1, 2);
    let y = model
        .wire_node("conv", Conv::new(spec, KernelFormat::OIHW, 1, None), &[x, w, b])
        .unwrap();
    model.select_output_outlets(&y).unwrap();
    assert_eq!(install_convs(&mut model).unwrap(), 0);
    assert!(model.nodes().iter().any(|n| n.op_is::<Conv>()));
}
