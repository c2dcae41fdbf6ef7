//! Canvas pixels → 32x32: the cases that break the known web demos.

mod common;

use common::*;
use lenet5::ink::preprocess::preprocess;

use lenet5::onnx::contract::INPUT_SIDE;

/// Bounding box (x0, y0, x1, y1 inclusive) of pixels above 0.1 in a 32x32 input.
fn ink_box(input: &[f32]) -> (usize, usize, usize, usize) {
    let (mut x0, mut y0, mut x1, mut y1) = (INPUT_SIDE, INPUT_SIDE, 0, 0);
    for y in 0..INPUT_SIDE {
        for x in 0..INPUT_SIDE {
            if input[y * INPUT_SIDE + x] > 0.1 {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    (x0, y0, x1, y1)
}

fn centre_of_mass(input: &[f32]) -> (f32, f32) {
    let (mut m, mut mx, mut my) = (0f32, 0f32, 0f32);
    for y in 0..INPUT_SIDE {
        for x in 0..INPUT_SIDE {
            let v = input[y * INPUT_SIDE + x];
            m += v;
            mx += v * (x as f32 + 0.5);
            my += v * (y as f32 + 0.5);
        }
    }
    (mx / m, my / m)
}

fn mass(input: &[f32]) -> f32 {
    input.iter().sum()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn mean_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32
}

/// Draws digit `d` at (x, y) with box size `size` and pen `pen` on a w x h canvas.
#[allow(clippy::too_many_arguments)]
fn canvas(d: u8, w: usize, h: usize, x: f32, y: f32, size: f32, pen: f32, style: Style) -> Vec<u8> {
    let mut c = blank(w, h, style);
    draw(&mut c, w, h, &place(&digit_strokes(d), x, y, size), pen, style);
    c
}

fn framed(rgba: &[u8], w: usize, h: usize) -> Vec<f32> {
    preprocess(rgba, w, h).expect("valid canvas").expect("ink found").input
}

#[test]
fn digit_fills_the_20px_box_and_sits_at_the_centre_of_mass() {
    for d in 0..10 {
        let input = framed(&canvas(d, 280, 280, 40.0, 40.0, 200.0, 18.0, DARK_ON_LIGHT), 280, 280);
        let (x0, y0, x1, y1) = ink_box(&input);
        let extent = (x1 - x0 + 1).max(y1 - y0 + 1);
        assert!(
            (19..=22).contains(&extent),
            "digit {d}: longer side {extent}, expected ~20"
        );
        let (cx, cy) = centre_of_mass(&input);
        assert!(
            (cx - 16.5).abs() <= 1.0 && (cy - 16.5).abs() <= 1.0,
            "digit {d}: centre of mass ({cx}, {cy})"
        );
    }
}

#[test]
fn off_centre_digit_frames_like_a_centred_one() {
    let centred = framed(&canvas(3, 280, 280, 70.0, 70.0, 140.0, 16.0, DARK_ON_LIGHT), 280, 280);
    let corner = framed(&canvas(3, 280, 280, 0.0, 130.0, 140.0, 16.0, DARK_ON_LIGHT), 280, 280);
    assert!(
        max_diff(&centred, &corner) < 0.1,
        "max diff {}",
        max_diff(&centred, &corner)
    );
}

#[test]
fn tiny_and_huge_digits_are_size_normalised() {
    let normal = framed(&canvas(5, 280, 280, 40.0, 40.0, 200.0, 18.0, DARK_ON_LIGHT), 280, 280);
    let tiny = framed(&canvas(5, 280, 280, 200.0, 30.0, 14.0, 2.0, DARK_ON_LIGHT), 280, 280);
    let huge = framed(
        &canvas(5, 2000, 2000, 50.0, 50.0, 1900.0, 150.0, DARK_ON_LIGHT),
        2000,
        2000,
    );
    for (name, input) in [("tiny", &tiny), ("huge", &huge)] {
        let (x0, y0, x1, y1) = ink_box(input);
        let extent = (x1 - x0 + 1).max(y1 - y0 + 1);
        assert!((19..=23).contains(&extent), "{name}: longer side {extent}");
        assert!(
            mean_diff(input, &normal) < 0.08,
            "{name}: mean diff {} from the normal drawing",
            mean_diff(input, &normal)
        );
    }
}

#[test]
fn thin_strokes_keep_their_weight() {
    let normal = framed(&canvas(7, 400, 400, 50.0, 50.0, 300.0, 24.0, DARK_ON_LIGHT), 400, 400);
    let thin = framed(&canvas(7, 400, 400, 50.0, 50.0, 300.0, 1.5, DARK_ON_LIGHT), 400, 400);
    let peak = thin.iter().copied().fold(0.0, f32::max);
    assert!(
        peak > 0.85,
        "a hairline must stay full ink after downscaling, peak {peak}"
    );
    assert!(
        mass(&thin) > 0.45 * mass(&normal),
        "hairline mass {} vs normal {}",
        mass(&thin),
        mass(&normal)
    );
}

#[test]
fn thick_strokes_stay_a_digit() {
    let fat = framed(&canvas(0, 280, 280, 60.0, 30.0, 160.0, 40.0, DARK_ON_LIGHT), 280, 280);
    let (x0, y0, x1, y1) = ink_box(&fat);
    assert!((x1 - x0 + 1).max(y1 - y0 + 1) >= 19);
    // The hole of the 0 survives.
    let (cx, cy) = centre_of_mass(&fat);
    assert!(
        fat[cy as usize * INPUT_SIDE + cx as usize] < 0.5,
        "the 0's hole got filled"
    );
}

#[test]
fn polarity_and_colours_do_not_matter() {
    let base = framed(&canvas(2, 280, 280, 40.0, 40.0, 200.0, 18.0, DARK_ON_LIGHT), 280, 280);
    let blue_on_grey = Style {
        ink: [30, 60, 200, 255],
        bg: [128, 128, 128, 255],
    };
    for (name, style) in [
        ("light on dark", LIGHT_ON_DARK),
        ("transparent", TRANSPARENT),
        ("blue on grey", blue_on_grey),
    ] {
        let other = framed(&canvas(2, 280, 280, 40.0, 40.0, 200.0, 18.0, style), 280, 280);
        assert!(
            max_diff(&base, &other) < 0.12,
            "{name}: max diff {}",
            max_diff(&base, &other)
        );
    }
}

#[test]
fn a_one_stays_narrow_and_centred() {
    let one = vec![vec![(140.0, 30.0), (140.0, 250.0)]];
    let mut c = blank(280, 280, DARK_ON_LIGHT);
    draw(&mut c, 280, 280, &one, 18.0, DARK_ON_LIGHT);
    let input = framed(&c, 280, 280);
    let (x0, y0, x1, y1) = ink_box(&input);
    assert!(y1 - y0 + 1 >= 19, "height {}", y1 - y0 + 1);
    assert!(
        x1 - x0 < 4,
        "a vertical stroke must not be stretched to a square: width {}",
        x1 - x0 + 1
    );
    let (cx, _) = centre_of_mass(&input);
    assert!((cx - 16.5).abs() <= 1.0, "centre {cx}");
}

#[test]
fn empty_and_speck_only_canvases_are_empty() {
    let empty = blank(280, 280, DARK_ON_LIGHT);
    assert!(preprocess(&empty, 280, 280).unwrap().is_none());
    let empty = blank(280, 280, TRANSPARENT);
    assert!(preprocess(&empty, 280, 280).unwrap().is_none());
    let mut specks = blank(280, 280, DARK_ON_LIGHT);
    let dots: Vec<Vec<(f32, f32)>> = [(20.0, 30.0), (200.0, 100.0), (140.0, 260.0)]
        .iter()
        .map(|&p| vec![p])
        .collect();
    draw(&mut specks, 280, 280, &dots, 2.0, DARK_ON_LIGHT);
    assert!(
        preprocess(&specks, 280, 280).unwrap().is_none(),
        "specks alone must not be a digit"
    );
}

#[test]
fn specks_next_to_a_digit_are_ignored() {
    let clean = canvas(4, 280, 280, 60.0, 40.0, 180.0, 16.0, DARK_ON_LIGHT);
    let mut dirty = clean.clone();
    let dots: Vec<Vec<(f32, f32)>> = [(5.0, 5.0), (270.0, 270.0), (10.0, 260.0)]
        .iter()
        .map(|&p| vec![p])
        .collect();
    draw(&mut dirty, 280, 280, &dots, 2.0, DARK_ON_LIGHT);
    let a = framed(&clean, 280, 280);
    let b = framed(&dirty, 280, 280);
    assert!(
        max_diff(&a, &b) < 1e-6,
        "specks changed the framing: {}",
        max_diff(&a, &b)
    );
}

#[test]
fn odd_sizes_get_an_answer_not_a_panic() {
    // 1x1: nothing but background.
    assert!(preprocess(&[0, 0, 0, 255], 1, 1).unwrap().is_none());
    // A long strip with a digit in it.
    let (w, h) = (3000, 17);
    let mut strip = blank(w, h, DARK_ON_LIGHT);
    draw(
        &mut strip,
        w,
        h,
        &place(&digit_strokes(1), 1500.0, 1.0, 15.0),
        2.0,
        DARK_ON_LIGHT,
    );
    let f = preprocess(&strip, w, h).unwrap().expect("the 1 in the strip");
    assert!(f.rect.x >= 1495 && f.rect.x <= 1515, "found at {:?}", f.rect);
    // Errors, not panics, for impossible buffers.
    assert!(preprocess(&[], 0, 0).is_err());
    assert!(preprocess(&[0; 16], 0, 4).is_err());
    assert!(preprocess(&[0; 15], 2, 2).is_err());
    assert!(preprocess(&[0; 17], 2, 2).is_err());
    let msg = preprocess(&[0; 16], usize::MAX, 2).unwrap_err().to_string();
    assert!(msg.contains("too large"), "{msg}");
}

#[test]
fn an_mnist_digit_keeps_mnist_framing() {
    let data = lenet5::train::mnist::load_dir(&mini_mnist()).expect("fixture");
    let (mut worst, mut total) = (0f32, 0f32);
    for i in 0..100 {
        let img = data.test.image(i);
        // Upscale 10x as a dark-on-light canvas.
        let (w, h) = (280, 280);
        let mut rgba = vec![255u8; w * h * 4];
        for y in 0..h {
            for x in 0..w {
                let v = 255 - img[(y / 10) * 28 + x / 10];
                rgba[4 * (y * w + x)..][..3].copy_from_slice(&[v, v, v]);
            }
        }
        let ours = framed(&rgba, w, h);
        let mut mnist = vec![0f32; 1024];
        lenet5::train::augment::place(img, &mut mnist);
        let (a, b) = (centre_of_mass(&ours), centre_of_mass(&mnist));
        assert!(
            (a.0 - b.0).abs() <= 1.0 && (a.1 - b.1).abs() <= 1.0,
            "digit {i}: centre {a:?} vs MNIST {b:?}"
        );
        worst = worst.max(mean_diff(&ours, &mnist));
        total += mean_diff(&ours, &mnist);
    }
    let average = total / 100.0;
    eprintln!("mean |ours - MNIST| per pixel: {average:.4} on average, {worst:.4} at worst");
    assert!(
        average < 0.03 && worst < 0.1,
        "pixels differ from MNIST's own framing: {average} on average, {worst} at worst"
    );
}
