//! A picture of the generated training drawings, as the network sees them (32x32 inputs): one
//! row per allograph style, then rows of non-digits, font letters and a row per font digit (if
//! fonts-dejavu-core is installed), then MNIST digits re-stroked (if MNIST is
//! at `../shared/data/mnist` or the given folder). Writes a PGM (`OUT`, default
//! `target/synth-gallery.pgm`) to look at.
//!
//! `cargo run --example synth_gallery [-- OUT [MNIST_DIR]]`

use lenet5::train::synth::{self, Split, allographs::STYLES, outliers, skeleton};

const COLS: usize = 12;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args
        .first()
        .cloned()
        .unwrap_or_else(|| "target/synth-gallery.pgm".into());
    let mut rows: Vec<Vec<Vec<f32>>> = Vec::new();
    let mut input = vec![0f32; 1024];
    for (s, style) in STYLES.iter().enumerate() {
        let row = (0..COLS)
            .map(|k| {
                let mut rng = Split::Train.rng(1, (s * COLS + k) as u64);
                synth::render(&(style.draw)(&mut rng), &mut rng, &mut input);
                input.clone()
            })
            .collect();
        rows.push(row);
    }
    for r in 0..6 {
        let row = (0..COLS)
            .map(|k| {
                let mut rng = Split::Train.rng(2, (r * COLS + k) as u64);
                let (_, paths) = outliers::draw(&mut rng);
                synth::render(&paths, &mut rng, &mut input);
                input.clone()
            })
            .collect();
        rows.push(row);
    }
    if let Ok(fonts) = lenet5::train::fonts::load_dir(std::path::Path::new(lenet5::train::fonts::DEFAULT_DIR)) {
        let glyphs = fonts.letters;
        for r in 0..4 {
            let row = (0..COLS)
                .map(|k| {
                    let i = (r * COLS + k) * 37 % glyphs.len();
                    let mut rng = Split::Train.rng(4, i as u64);
                    synth::render(&glyphs[i], &mut rng, &mut input);
                    input.clone()
                })
                .collect();
            rows.push(row);
        }
        // The fonts' digits, one row per digit, a font per column.
        for d in 0..10u8 {
            let printed: Vec<_> = fonts.digits.iter().filter(|(v, _)| *v == d).map(|(_, p)| p).collect();
            if printed.is_empty() {
                continue;
            }
            let row = (0..COLS)
                .map(|k| {
                    let i = k * printed.len() / COLS;
                    let mut rng = Split::Train.rng(5, (usize::from(d) * COLS + k) as u64);
                    synth::render(printed[i], &mut rng, &mut input);
                    input.clone()
                })
                .collect();
            rows.push(row);
        }
        println!("{} font glyphs, {} font digits", glyphs.len(), fonts.digits.len());
    }
    let dir = args.get(1).cloned().unwrap_or_else(|| "../shared/data/mnist".into());
    if let Ok(data) = lenet5::train::mnist::load_dir(std::path::Path::new(&dir)) {
        for r in 0..4 {
            let row = (0..COLS)
                .map(|k| {
                    let i = r * COLS + k;
                    let paths = skeleton::strokes(&data.train.images[i * 784..][..784]);
                    let mut rng = Split::Train.rng(3, i as u64);
                    synth::render(&paths, &mut rng, &mut input);
                    input.clone()
                })
                .collect();
            rows.push(row);
            let row = (0..COLS)
                .map(|k| {
                    let i = r * COLS + k;
                    let mut x = vec![0f32; 1024];
                    lenet5::train::augment::place(&data.train.images[i * 784..][..784], &mut x);
                    x
                })
                .collect();
            rows.push(row);
        }
    }
    let (w, h) = (COLS * 34, rows.len() * 34);
    let mut px = vec![128u8; w * h];
    for (r, row) in rows.iter().enumerate() {
        for (c, img) in row.iter().enumerate() {
            for y in 0..32 {
                for x in 0..32 {
                    px[(r * 34 + 1 + y) * w + c * 34 + 1 + x] = 255 - (img[y * 32 + x].clamp(0.0, 1.0) * 255.0) as u8;
                }
            }
        }
    }
    let mut bytes = format!("P5 {w} {h} 255\n").into_bytes();
    bytes.extend(px);
    std::fs::write(&out, bytes).expect("write the gallery");
    println!("wrote {out} ({} rows)", rows.len());
}
