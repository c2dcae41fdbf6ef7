//! Where a live reading's time goes, natively, frame by frame: the frames written by
//! `REPLAY_DUMP=/tmp/frames.json node bench/frame/replay.mjs` (a 6-digit number, its last digit
//! point by point), each read as the page reads it (`Recognizer::read_strokes` with the maps),
//! with the network runs the number reading needs per frame.
//! `cargo run --release --example replay_frames -- /tmp/frames.json`

#[path = "../tests/common/mod.rs"]
mod common;

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
    let model = std::fs::read(common::repo_root().join("model/lenet5.onnx")).unwrap();
    let mut r = Recognizer::new(&model).unwrap();
    // A second recognizer counts the network runs of the number reading, frame by frame, with
    // the same memos the page's recognizer keeps.
    let mut counter = Recognizer::new(&model).unwrap();
    let runs = Cell::new(0usize);
    let mut memo = GroupMemo::default();
    let mut per_frame = Vec::new();
    for f in &frames {
        let t0 = Instant::now();
        let read = r.read_strokes(f, pen, true).unwrap();
        let us = t0.elapsed().as_secs_f64() * 1e6;
        runs.set(0);
        read_number_strokes(f, pen, &mut memo, |x| {
            runs.set(runs.get() + 1);
            counter.predict(x)
        })
        .unwrap();
        let text: String = read
            .number
            .digits
            .iter()
            .map(|d| {
                format!(
                    "{}[{},{} {}x{}] ",
                    d.digit, d.rect.x, d.rect.y, d.rect.width, d.rect.height
                )
            })
            .collect();
        per_frame.push((runs.get(), us, text));
    }
    parts(&mut r, frames.last().unwrap(), pen);
    let mean = per_frame.iter().map(|(_, us, _)| us).sum::<f64>() / per_frame.len() as f64;
    println!("{} frames: read_strokes {mean:.0} us (mean)", frames.len());
    let hist = per_frame.iter().fold([0usize; 40], |mut h, (k, _, _)| {
        h[(*k).min(39)] += 1;
        h
    });
    println!(
        "network runs per frame (count of frames): {:?}",
        hist.iter().enumerate().filter(|(_, c)| **c > 0).collect::<Vec<_>>()
    );
    for (i, (k, us, text)) in per_frame.iter().enumerate() {
        if i % 4 == 0 || *k > 3 {
            println!("frame {i}: {k} runs, {us:.0} us, {text}");
        }
    }
}

/// Natively, the parts of one frame that are ours (no network run: every reading remembered).
fn parts(r: &mut Recognizer, last: &[Stroke], pen: f32) {
    let time = |name: &str, f: &mut dyn FnMut()| common::time_per_call(name, 50, 2000, f);
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
