//! Where a stroke reading's time goes, natively: framing one digit, framing a written number,
//! reading the number (with the recognizer's memo warm), the network alone.
//! `cargo run --release --example profile_strokes` (the dev profile optimises our crate too).

#[path = "../tests/common/mod.rs"]
mod common;

use lenet5::Recognizer;
use lenet5::ink::raster::frame_strokes;
use lenet5::ink::strokes::{Point, Stroke};

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/e2e/fixtures/strokes.json")).unwrap()).unwrap();
    let digits = fixture["digits"].as_array().unwrap();
    let side = 300.0f32;
    let strokes_of = |i: usize, x0: f32| -> Vec<Stroke> {
        digits[i]["strokes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                Stroke::new(
                    s.as_array()
                        .unwrap()
                        .iter()
                        .map(|p| Point {
                            x: x0 + p[0].as_f64().unwrap() as f32 * side,
                            y: 20.0 + p[1].as_f64().unwrap() as f32 * side,
                        })
                        .collect(),
                )
            })
            .collect()
    };
    let one = strokes_of(3, 0.0);
    let number: Vec<Stroke> = (0..6)
        .flat_map(|i| strokes_of(i * 17 % digits.len(), i as f32 * side * 0.8))
        .collect();
    let pen = side / 22.0;
    let mut r = Recognizer::new(&std::fs::read(root.join("model/lenet5.onnx")).unwrap()).unwrap();
    let time = |name: &str, f: &mut dyn FnMut()| common::time_per_call(name, 20, 300, f);
    let points: usize = number.iter().map(|s| s.points.len()).sum();
    println!(
        "one digit {} points, number {points} points",
        one.iter().map(|s| s.points.len()).sum::<usize>()
    );
    time("frame one digit", &mut || {
        frame_strokes(&one, pen).unwrap();
    });
    time("frame the whole number", &mut || {
        frame_strokes(&number, pen).unwrap();
    });
    use lenet5::ink::raster::{Placement, cover};
    time("cover one digit 80x80 (r 2.2)", &mut || {
        cover(
            &one,
            Placement {
                origin: Point { x: -7.0, y: 13.0 },
                scale: 0.32,
            },
            2.2,
            80,
            80,
        );
    });
    time("cover number 80x20 (r 0.3)", &mut || {
        cover(
            &number,
            Placement {
                origin: Point { x: -7.0, y: 13.0 },
                scale: 0.047,
            },
            0.32,
            80,
            20,
        );
    });
    let input = frame_strokes(&one, pen).unwrap().input;
    time("predict (native tract)", &mut || {
        r.predict(&input).unwrap();
    });
    time("recognize_strokes one digit (memo warm)", &mut || {
        r.recognize_strokes(&one, pen).unwrap();
    });
    time("recognize_number_strokes (memo warm)", &mut || {
        r.recognize_number_strokes(&number, pen).unwrap();
    });
    println!("{}", r.recognize_number_strokes(&number, pen).unwrap().text);
}
