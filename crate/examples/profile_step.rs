use lenet5::onnx::contract::INPUT_LEN;
use lenet5::train::augment::*;
use lenet5::train::net::*;
use std::time::Instant;
fn main() {
    let n = 16;
    let params = Params::init(1, C3Mode::Full);
    let mut ws = Workspace::new(n);
    let x: Vec<f32> = (0..n * INPUT_LEN).map(|i| ((i * 7919) % 97) as f32 / 97.0).collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let mut g = vec![0f32; params.data.len()];
    let reps = 200;
    let t = Instant::now();
    for _ in 0..reps {
        ws.forward(&params, &x);
    }
    let f = t.elapsed().as_secs_f64() / (reps * n) as f64;
    let t = Instant::now();
    for _ in 0..reps {
        ws.forward(&params, &x);
        ws.backward(&params, &labels, n, &mut g);
    }
    let fb = t.elapsed().as_secs_f64() / (reps * n) as f64;
    let img: Vec<u8> = (0..784).map(|i| ((i * 31) % 256) as u8).collect();
    let mut out = vec![0f32; 1024];
    let mut rng = lenet5::train::trainer::rng(3);
    let d = Distortion::default();
    let t = Instant::now();
    for _ in 0..20000 {
        distort(&img, &d, &mut rng, &mut out);
    }
    let a = t.elapsed().as_secs_f64() / 20000.0;
    println!(
        "per digit: forward {:.1} us, forward+backward {:.1} us, distort {:.1} us; epoch of 60k single-thread = {:.1} s",
        f * 1e6,
        fb * 1e6,
        a * 1e6,
        (fb + a) * 60000.0
    );
}
