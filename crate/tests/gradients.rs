//! The purpose-built backward pass against finite differences, for every parameter tensor.

use lenet5::onnx::contract::INPUT_LEN;
use lenet5::train::net::{C3Mode, Params, Workspace, tensors};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn loss(params: &Params, ws: &mut Workspace, x: &[f32], labels: &[u8]) -> f64 {
    ws.forward(params, x);
    ws.loss(labels).0 / labels.len() as f64
}

fn check(c3: C3Mode) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let params = Params::init(3, c3);
    // Smooth random inputs: digits-like blobs keep the ReLUs away from their kinks.
    let n = 4;
    let x: Vec<f32> = (0..n * INPUT_LEN).map(|_| rng.random_range(0.0..1.0)).collect();
    // Every third example is a non-digit (trained towards the uniform distribution).
    let labels: Vec<u8> = (0..n)
        .map(|i| {
            if i % 3 == 2 {
                lenet5::train::net::OUTLIER
            } else {
                (i * 3 % 10) as u8
            }
        })
        .collect();
    let mut ws = Workspace::new(n);
    ws.forward(&params, &x);
    let mut grad = vec![0f32; params.data.len()];
    ws.backward(&params, &labels, n, &mut grad);
    params.mask_grad(&mut grad);

    let mask = Params::c3_mask(c3);
    for t in tensors() {
        let mut checked = 0;
        let mut bad = Vec::new();
        // The largest gradients plus random ones: both must match.
        let mut idx: Vec<usize> = (t.offset..t.offset + t.len).collect();
        idx.sort_by(|&a, &b| grad[b].abs().total_cmp(&grad[a].abs()));
        let mut picks: Vec<usize> = idx.iter().take(6).copied().collect();
        picks.extend((0..6).map(|_| rng.random_range(t.offset..t.offset + t.len)));
        for i in picks {
            if t.name == "c3.weight" && mask[i - t.offset] == 0.0 {
                assert_eq!(grad[i], 0.0, "a cut C3 connection got a gradient");
                continue;
            }
            let eps = 1e-3f32;
            let mut p = params.clone();
            p.data[i] += eps;
            let up = loss(&p, &mut ws, &x, &labels);
            p.data[i] -= 2.0 * eps;
            let down = loss(&p, &mut ws, &x, &labels);
            let numeric = (up - down) / (2.0 * f64::from(eps));
            let analytic = f64::from(grad[i]);
            let tol = 2e-3 + 2e-2 * numeric.abs().max(analytic.abs());
            checked += 1;
            if (numeric - analytic).abs() > tol {
                bad.push((i - t.offset, analytic, numeric));
            }
        }
        // A ReLU or max-pool switching inside ±eps can spoil one estimate; more is a bug.
        assert!(
            bad.len() <= 1,
            "{} ({c3:?}): {} of {checked} gradients differ: {bad:?}",
            t.name,
            bad.len()
        );
        assert!(checked >= 6, "{}: too few checked", t.name);
    }
}

#[test]
fn gradients_match_finite_differences_full_c3() {
    check(C3Mode::Full);
}

#[test]
fn gradients_match_finite_differences_paper_c3() {
    check(C3Mode::Paper);
}

#[test]
fn paper_table_has_60_connections() {
    let mask = Params::c3_mask(C3Mode::Paper);
    let links = mask.chunks(25).filter(|k| k[0] == 1.0).count();
    assert_eq!(links, 60, "LeCun et al. 1998 Table I has 60 C3-S2 connections");
    // Map 15 sees all six; maps 0-5 see three.
    for (map, expected) in [(0, 3), (5, 3), (6, 4), (11, 4), (12, 4), (14, 4), (15, 6)] {
        let seen = (0..6).filter(|&s| mask[(map * 6 + s) * 25] == 1.0).count();
        assert_eq!(seen, expected, "C3 map {map}");
    }
    // Map 12 takes non-contiguous maps 0,1,3,4.
    let m12: Vec<usize> = (0..6).filter(|&s| mask[(12 * 6 + s) * 25] == 1.0).collect();
    assert_eq!(m12, vec![0, 1, 3, 4]);
}
