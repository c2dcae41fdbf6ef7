//! Native benchmarks of the recognizer's three entry points, on the committed model:
//!
//!   cargo bench -p lenet5 --bench recognize            (all three)
//!   cargo bench -p lenet5 --bench recognize -- predict (one of them)
//!
//! - `preprocess 280x280`: canvas RGBA of a digit drawn like on the page → the 32x32 input;
//! - `predict 32x32`: the network alone on that input (tract plan, state reused);
//! - `recognize 280x280`: both, as the page calls it.
//!
//! Criterion with its default features off (no plots, no rayon): it only prints the estimates.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use criterion::Criterion;
    use lenet5::Recognizer;
    use lenet5::ink::preprocess::preprocess;

    const MODEL: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../model/lenet5.onnx"));
    /// The page's pad at devicePixelRatio 1 is about this size; the pen is 1/14 of its side.
    const SIDE: usize = 280;
    const PEN: f32 = SIDE as f32 / 14.0;

    /// Distance from `p` to the segment `a`-`b`.
    fn segment_distance(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (qx, qy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
        (qx * qx + qy * qy).sqrt()
    }

    /// A "3" (two arcs) drawn with a round pen, #111 on white, anti-aliased edges: RGBA.
    pub fn drawing() -> Vec<u8> {
        let arc = |cx: f32, cy: f32, r: f32, from: f32, to: f32| -> Vec<(f32, f32)> {
            (0..=24)
                .map(|i| {
                    let a = (from + (to - from) * i as f32 / 24.0).to_radians();
                    (cx + r * a.cos(), cy + r * a.sin())
                })
                .collect()
        };
        // y grows downwards: -90° is the top of a circle.
        let strokes = [
            arc(135.0, 92.0, 48.0, -160.0, 90.0),
            arc(135.0, 188.0, 48.0, -90.0, 160.0),
        ];
        let mut rgba = vec![255u8; SIDE * SIDE * 4];
        for y in 0..SIDE {
            for x in 0..SIDE {
                let p = (x as f32 + 0.5, y as f32 + 0.5);
                let d = strokes
                    .iter()
                    .flat_map(|s| s.windows(2).map(move |w| segment_distance(p, w[0], w[1])))
                    .fold(f32::INFINITY, f32::min);
                let ink = (PEN / 2.0 + 0.5 - d).clamp(0.0, 1.0);
                let v = (255.0 - ink * (255.0 - 17.0)).round() as u8;
                let px = &mut rgba[(y * SIDE + x) * 4..][..3];
                px.fill(v);
            }
        }
        rgba
    }

    pub fn benches(c: &mut Criterion) {
        let rgba = drawing();
        let input = preprocess(&rgba, SIDE, SIDE)
            .expect("valid pixels")
            .expect("the drawing has ink")
            .input;
        let mut recognizer = Recognizer::new(MODEL).expect("the committed model loads");
        let reading = recognizer.recognize(&rgba, SIDE, SIDE).expect("recognize");
        assert_eq!(
            reading.digit,
            Some(3),
            "the benchmark drawing should read as a 3: {reading:?}"
        );

        c.bench_function("preprocess 280x280", |b| {
            b.iter(|| preprocess(black_box(&rgba), SIDE, SIDE).unwrap())
        });
        c.bench_function("predict 32x32", |b| {
            b.iter(|| recognizer.predict(black_box(&input)).unwrap())
        });
        c.bench_function("recognize 280x280", |b| {
            b.iter(|| recognizer.recognize(black_box(&rgba), SIDE, SIDE).unwrap())
        });
        c.bench_function("recognizeNumber 280x280", |b| {
            b.iter(|| recognizer.recognize_number(black_box(&rgba), SIDE, SIDE).unwrap())
        });
        c.bench_function("featureMaps 32x32", |b| {
            b.iter(|| recognizer.feature_maps(black_box(&input)).unwrap())
        });
    }

    /// Short runs: the numbers settle within a second on this network, and the machine is shared.
    pub fn config() -> Criterion {
        Criterion::default()
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group! {
    name = benches;
    config = native::config();
    targets = native::benches
}
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
