//! Test helpers: draw pen strokes into RGBA canvases the way a browser canvas would, and find
//! the shared fixtures.
#![allow(dead_code)]

use std::path::PathBuf;

/// Colours of a canvas: `bg` may be transparent ([_, _, _, 0]).
#[derive(Clone, Copy)]
pub struct Style {
    pub ink: [u8; 4],
    pub bg: [u8; 4],
}

pub const DARK_ON_LIGHT: Style = Style {
    ink: [20, 20, 30, 255],
    bg: [255, 255, 255, 255],
};
pub const LIGHT_ON_DARK: Style = Style {
    ink: [250, 250, 250, 255],
    bg: [10, 12, 20, 255],
};
pub const TRANSPARENT: Style = Style {
    ink: [0, 0, 0, 255],
    bg: [0, 0, 0, 0],
};

/// A canvas filled with `style.bg`.
pub fn blank(w: usize, h: usize, style: Style) -> Vec<u8> {
    style.bg.iter().copied().cycle().take(w * h * 4).collect()
}

/// Draws round-capped polylines of `width` px with the crate's one rasteriser
/// (`lenet5::ink::raster::cover`, anti-aliased by distance, like a canvas).
pub fn draw(rgba: &mut [u8], w: usize, h: usize, strokes: &[Vec<(f32, f32)>], width: f32, style: Style) {
    let strokes = to_strokes(strokes);
    let cover = lenet5::ink::raster::cover(&strokes, lenet5::ink::raster::Placement::IDENTITY, width / 2.0, w, h);
    for (i, c) in cover.iter().enumerate() {
        if *c > 0.0 {
            let px = &mut rgba[4 * i..4 * i + 4];
            for (k, v) in px.iter_mut().enumerate() {
                *v = (f32::from(style.bg[k]) * (1.0 - c) + f32::from(style.ink[k]) * c).round() as u8;
            }
            if style.bg[3] == 0 {
                px[..3].copy_from_slice(&style.ink[..3]);
            }
        }
    }
}

/// Point lists as the crate's strokes (as the page sends them).
pub fn to_strokes(strokes: &[Vec<(f32, f32)>]) -> Vec<lenet5::ink::strokes::Stroke> {
    strokes
        .iter()
        .map(|s| {
            lenet5::ink::strokes::Stroke::new(s.iter().map(|&(x, y)| lenet5::ink::strokes::Point { x, y }).collect())
        })
        .collect()
}

/// Maps strokes given in a unit box into the pixel rectangle (x, y, size).
pub fn place(strokes: &[Vec<(f32, f32)>], x: f32, y: f32, size: f32) -> Vec<Vec<(f32, f32)>> {
    strokes
        .iter()
        .map(|s| s.iter().map(|&(u, v)| (x + u * size, y + v * size)).collect())
        .collect()
}

/// Simple hand-made stroke digits in a unit box (x right, y down), as a person draws them.
pub fn digit_strokes(d: u8) -> Vec<Vec<(f32, f32)>> {
    let arc = |cx: f32, cy: f32, rx: f32, ry: f32, a0: f32, a1: f32, n: usize| -> Vec<(f32, f32)> {
        (0..=n)
            .map(|i| {
                let a = (a0 + (a1 - a0) * i as f32 / n as f32).to_radians();
                (cx + rx * a.cos(), cy + ry * a.sin())
            })
            .collect()
    };
    match d {
        0 => vec![arc(0.5, 0.5, 0.28, 0.45, -90.0, 270.0, 40)],
        1 => vec![vec![(0.38, 0.2), (0.55, 0.05), (0.55, 0.95)]],
        2 => {
            let mut s = arc(0.5, 0.3, 0.28, 0.25, 200.0, 380.0, 20);
            s.extend([(0.2, 0.95), (0.82, 0.95)]);
            vec![s]
        }
        3 => {
            let mut s = arc(0.48, 0.28, 0.27, 0.23, 200.0, 450.0, 20);
            s.extend(arc(0.48, 0.72, 0.3, 0.24, 270.0, 520.0, 20));
            vec![s]
        }
        4 => vec![
            vec![(0.6, 0.05), (0.15, 0.65), (0.85, 0.65)],
            vec![(0.62, 0.3), (0.62, 0.95)],
        ],
        5 => {
            let mut s = vec![(0.78, 0.05), (0.3, 0.05), (0.25, 0.45)];
            s.extend(arc(0.48, 0.68, 0.3, 0.27, 230.0, 500.0, 22));
            vec![s]
        }
        6 => {
            let mut s = arc(0.5, 0.45, 0.3, 0.4, 290.0, 180.0, 14);
            s.extend(arc(0.5, 0.7, 0.28, 0.24, 180.0, 540.0, 30));
            vec![s]
        }
        7 => vec![vec![(0.18, 0.08), (0.82, 0.08), (0.42, 0.95)]],
        8 => {
            let mut s = arc(0.5, 0.27, 0.22, 0.22, 90.0, 450.0, 24);
            s.extend(arc(0.5, 0.72, 0.27, 0.23, -90.0, 270.0, 24));
            vec![s]
        }
        _ => {
            let mut s = arc(0.48, 0.3, 0.27, 0.25, 0.0, 360.0, 28);
            s.extend([(0.75, 0.3), (0.7, 0.95)]);
            vec![s]
        }
    }
}

/// The repository's top folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Microseconds per call of `f`, after `warm` calls, over `n` calls (examples' timings).
pub fn time_per_call(name: &str, warm: usize, n: usize, f: &mut dyn FnMut()) {
    for _ in 0..warm {
        f();
    }
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        f();
    }
    println!("{name}: {:.1} us", t0.elapsed().as_secs_f64() * 1e6 / n as f64);
}

/// The small MNIST fixture committed with the tests (1000 train, 500 test digits).
pub fn mini_mnist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mnist-mini")
}

/// Says loudly that a test was skipped, and why. Written to stderr directly, not with
/// `eprintln!`, which the test harness captures and hides for a passing test.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED ({why}): {test}");
}

/// Strokes in a unit pad (x right, y down), as the JSON fixtures store them.
pub type Strokes = Vec<Vec<(f32, f32)>>;

#[cfg(not(target_arch = "wasm32"))]
/// The entries of a stroke fixture in `tests/e2e/fixtures/` (`strokes.json` and `styles.json`:
/// key `digits`; `nondigits.json`: key `drawings`), as JSON objects.
pub fn fixture_entries(file: &str) -> Vec<serde_json::Value> {
    let path = repo_root().join("tests/e2e/fixtures").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("fixture JSON");
    let key = if json.get("digits").is_some() {
        "digits"
    } else {
        "drawings"
    };
    match json[key].take() {
        serde_json::Value::Array(entries) => entries,
        _ => panic!("{}: no {key} array", path.display()),
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// A fixture entry's `strokes`.
pub fn strokes_of(entry: &serde_json::Value) -> Strokes {
    entry["strokes"]
        .as_array()
        .expect("strokes")
        .iter()
        .map(|s| {
            s.as_array()
                .expect("points")
                .iter()
                .map(|p| (p[0].as_f64().unwrap() as f32, p[1].as_f64().unwrap() as f32))
                .collect()
        })
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
/// The drawings of a stroke fixture as (tag, strokes): tag = the label of a digit, the kind of
/// a non-digit.
pub fn stroke_fixture(file: &str) -> Vec<(String, Strokes)> {
    fixture_entries(file)
        .iter()
        .map(|d| {
            let tag = match d.get("label").unwrap_or(&d["kind"]) {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (tag, strokes_of(d))
        })
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
/// Draws unit-pad strokes on a transparent `side` x `side` canvas with the page's pen (side/14).
pub fn render_pad(strokes: &Strokes, side: usize) -> Vec<u8> {
    let mut c = blank(side, side, TRANSPARENT);
    let pen = side as f32 / 14.0;
    draw(
        &mut c,
        side,
        side,
        &place(strokes, 0.0, 0.0, side as f32),
        pen,
        TRANSPARENT,
    );
    c
}
