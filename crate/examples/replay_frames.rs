//! Where a live reading's time goes, natively, frame by frame: the frames written by
//! `REPLAY_DUMP=/tmp/frames.json node bench/frame/replay.mjs` (a 6-digit number, its last digit
//! point by point), each read as the page reads it. Counts the network runs per frame.
//! `cargo run --example replay_frames -- /tmp/frames.json`

use std::cell::Cell;
use std::time::Instant;

use lenet5::Recognizer;
use lenet5::ink::raster::frame_strokes;
use lenet5::ink::segment::{GroupMemo, read_number_strokes};
use lenet5::ink::strokes::Stroke;

fn main() {
    let path = std::env::args().nth(1).unwrap_or("/tmp/frames.json".into());
    let dump: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let pen = dump["penWidth"].as_f64().unwrap() as f32;
    let frames: Vec<Vec<Stroke>> = dump["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f.as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let v: Vec<f32> = s
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap() as f32)
                        .collect();
                    Stroke::from_flat(&v, 3).unwrap()
                })
                .collect()
        })
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut r = Recognizer::new(&std::fs::read(root.join("model/lenet5.onnx")).unwrap()).unwrap();
    let runs = Cell::new(0usize);
    let mut memo = GroupMemo::default();
    let (mut t_one, mut t_num, mut t_maps) = (0f64, 0f64, 0f64);
    let mut per_frame = Vec::new();
    for f in &frames {
        let t0 = Instant::now();
        let one = frame_strokes(f.iter(), pen).unwrap();
        r.predict(&one.input).unwrap();
        let t1 = Instant::now();
        runs.set(0);
        let read = read_number_strokes(f, pen, &mut memo, |x| {
            runs.set(runs.get() + 1);
            r.predict(x)
        })
        .unwrap();
        let t2 = Instant::now();
        r.feature_maps(&one.input).unwrap();
        let t3 = Instant::now();
        t_one += (t1 - t0).as_secs_f64();
        t_num += (t2 - t1).as_secs_f64();
        t_maps += (t3 - t2).as_secs_f64();
        let text: String = read
            .iter()
            .map(|d| {
                let p = &d.probabilities;
                let b = (0..10).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
                format!(
                    "{b}[{},{} {}x{}] ",
                    d.framed.rect.x, d.framed.rect.y, d.framed.rect.width, d.framed.rect.height
                )
            })
            .collect();
        per_frame.push((runs.get(), (t2 - t1).as_secs_f64() * 1e6, read.len(), text));
    }
    parts(&mut r, frames.last().unwrap(), pen);
    let n = frames.len() as f64;
    println!(
        "{} frames: one {:.0} us, number {:.0} us, maps {:.0} us (means)",
        frames.len(),
        t_one / n * 1e6,
        t_num / n * 1e6,
        t_maps / n * 1e6
    );
    let hist = per_frame.iter().fold([0usize; 40], |mut h, (k, _, _, _)| {
        h[(*k).min(39)] += 1;
        h
    });
    println!(
        "network runs per frame (count of frames): {:?}",
        hist.iter().enumerate().filter(|(_, c)| **c > 0).collect::<Vec<_>>()
    );
    for (i, (k, us, digits, text)) in per_frame.iter().enumerate() {
        if i % 4 == 0 || *k > 3 {
            println!("frame {i}: {k} runs, {us:.0} us, {digits} digits {text}");
        }
    }
}

/// Natively, the parts of one frame that are ours (no network run: every reading remembered).
#[allow(dead_code)]
fn parts(r: &mut Recognizer, last: &[Stroke], pen: f32) {
    let time = |name: &str, f: &mut dyn FnMut()| {
        for _ in 0..50 {
            f();
        }
        let n = 2000;
        let t0 = Instant::now();
        for _ in 0..n {
            f();
        }
        println!("{name}: {:.1} us", t0.elapsed().as_secs_f64() * 1e6 / n as f64);
    };
    time("read_strokes, all remembered, no maps", &mut || {
        r.read_strokes(last, pen, false).unwrap();
    });
    time("frame_strokes whole drawing", &mut || {
        frame_strokes(last.iter(), pen).unwrap();
    });
    time("frame_strokes last stroke", &mut || {
        frame_strokes(last[last.len() - 1..].iter(), pen).unwrap();
    });
    time("recognize_strokes whole (memo hit)", &mut || {
        r.recognize_strokes(last, pen).unwrap();
    });
}
