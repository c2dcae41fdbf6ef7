use ndarray::{Array2, linalg::general_mat_mul};
use std::time::Instant;
fn bench(name: &str, m: usize, k: usize, n: usize, ta: bool, tb: bool) {
    let a = if ta {
        Array2::<f32>::ones((k, m))
    } else {
        Array2::<f32>::ones((m, k))
    };
    let b = if tb {
        Array2::<f32>::ones((n, k))
    } else {
        Array2::<f32>::ones((k, n))
    };
    let mut c = Array2::<f32>::zeros((m, n));
    let reps = 50;
    let t = Instant::now();
    for _ in 0..reps {
        let av = if ta { a.t() } else { a.view() };
        let bv = if tb { b.t() } else { b.view() };
        general_mat_mul(1.0, &av, &bv, 1.0, &mut c);
    }
    let s = t.elapsed().as_secs_f64() / reps as f64;
    println!(
        "{name:28} {m}x{k}x{n}: {:.1} us, {:.1} GFLOP/s",
        s * 1e6,
        2.0 * (m * k * n) as f64 / s / 1e9
    );
}
fn main() {
    let b = 16;
    bench("c1 fwd W*cols", 6, 25, b * 784, false, false);
    bench("c3 fwd W*cols", 16, 150, b * 100, false, false);
    bench("c5 fwd x*W^T", b, 400, 120, false, true);
    bench("c1 bwd d*cols^T", 6, b * 784, 25, false, true);
    bench("c3 bwd d*cols^T", 16, b * 100, 150, false, true);
    bench("c3 bwd W^T*d", 150, 16, b * 100, true, false);
    bench("c5 bwd d^T*x", 120, b, 400, true, false);
    bench("c5 bwd d*W", b, 120, 400, false, false);
}
