//! Whole numbers, feature maps and the reject rule: what the page shows beyond one digit.

mod common;

use lenet5::Recognizer;
use lenet5::ink::strokes::Stroke;
use lenet5::onnx::contract::INPUT_LEN;
use lenet5::train::export;
use lenet5::train::net::{C3Mode, Params, Workspace};
use prost::Message;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn committed() -> Recognizer {
    let path = std::env::var("LENET5_MODEL")
        .map(std::path::PathBuf::from)
        .unwrap_or(common::repo_root().join("model/lenet5.onnx"));
    Recognizer::new(&std::fs::read(path).unwrap()).unwrap()
}

/// Strokes scaled so their ink box has height 1 (aspect kept), top-left at the origin.
fn normalise(strokes: &common::Strokes) -> (common::Strokes, f32) {
    let pts = strokes.iter().flatten();
    let (x0, x1) = pts
        .clone()
        .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pts.fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let h = (y1 - y0).max(1e-3);
    let out = strokes
        .iter()
        .map(|s| s.iter().map(|p| ((p.0 - x0) / h, (p.1 - y0) / h)).collect())
        .collect();
    (out, (x1 - x0) / h)
}

/// A written number: the canvas it was drawn on (RGBA, width, height), and the pen strokes
/// that drew it with the pen's width, as the page would send them.
struct Written {
    rgba: Vec<u8>,
    w: usize,
    h: usize,
    strokes: Vec<Stroke>,
    pen: f32,
}

/// How a test reads a number: from the canvas's pixels (images) or from the pen strokes (the page).
#[derive(Clone, Copy, Debug)]
enum Path {
    Pixels,
    Strokes,
}

fn read(r: &mut Recognizer, n: &Written, path: Path) -> lenet5::NumberReading {
    match path {
        Path::Pixels => r.recognize_number(&n.rgba, n.w, n.h).unwrap(),
        Path::Strokes => r.recognize_number_strokes(&n.strokes, n.pen).unwrap(),
    }
}

/// Writes `digits` (unit-height strokes with their widths) side by side with the given heights,
/// gaps (fractions of the height), vertical jitter and slant, on a white canvas; the pen is a
/// ninth of the height, like the page's pen on a digit filling two thirds of the pad.
fn write_number(digits: &[(common::Strokes, f32)], heights: &[f32], gaps: &[f32], dys: &[f32], slant: f32) -> Written {
    let margin = 40.0;
    let tallest = heights.iter().copied().fold(0f32, f32::max);
    let mut x = margin;
    let mut placed = Vec::new();
    for (i, ((strokes, width), &h)) in digits.iter().zip(heights).enumerate() {
        let base = margin + (tallest - h) / 2.0 + dys[i];
        placed.extend(strokes.iter().map(|s| {
            s.iter()
                .map(|p| (x + p.0 * h + (1.0 - p.1) * h * slant, base + p.1 * h))
                .collect::<Vec<_>>()
        }));
        x += width * h + gaps.get(i).copied().unwrap_or(0.0) * h;
    }
    let w = (x + margin + tallest * slant.abs()) as usize;
    let h = (tallest + 2.0 * margin + 40.0) as usize;
    let mut c = common::blank(w, h, common::DARK_ON_LIGHT);
    let pen = tallest / 9.0;
    common::draw(&mut c, w, h, &placed, pen, common::DARK_ON_LIGHT);
    Written {
        rgba: c,
        w,
        h,
        strokes: common::to_strokes(&placed),
        pen,
    }
}

/// Reads 150 random numbers; returns (segmented right, read exactly, digits right, digits in
/// the numbers segmented right) in percent.
fn read_numbers(seed: u64, gap: std::ops::Range<f32>, max_slant: f32, path: Path) -> (f64, f64, f64) {
    let fixture = common::stroke_fixture("strokes.json");
    let mut r = committed();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut numbers, mut segmented, mut exact, mut digits_total, mut digits_right) = (0, 0, 0, 0, 0);
    for _ in 0..150 {
        let n = rng.random_range(2..=6usize);
        let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..fixture.len())).collect();
        let truth: String = picks.iter().map(|&i| fixture[i].0.clone()).collect();
        let digits: Vec<_> = picks.iter().map(|&i| normalise(&fixture[i].1)).collect();
        let base = rng.random_range(80.0..160.0f32);
        let heights: Vec<f32> = (0..n).map(|_| base * rng.random_range(0.8..1.2f32)).collect();
        let gaps: Vec<f32> = (0..n).map(|_| rng.random_range(gap.clone())).collect();
        let dys: Vec<f32> = (0..n).map(|_| rng.random_range(-0.1..0.1f32) * base).collect();
        let slant = rng.random_range(-max_slant..max_slant);
        let written = write_number(&digits, &heights, &gaps, &dys, slant);
        let (w, h) = (written.w, written.h);
        let read = read(&mut r, &written, path);
        numbers += 1;
        if std::env::var("SEG_DEBUG").is_ok() && read.text != truth {
            eprintln!("{path:?}: truth {truth} read {} gaps {gaps:?}", read.text);
        }
        assert_eq!(read.text.len(), read.digits.len());
        // Boxes come left to right and lie on the canvas.
        for pair in read.digits.windows(2) {
            assert!(pair[0].rect.x <= pair[1].rect.x, "{read:?}");
        }
        for d in &read.digits {
            assert!(d.rect.x + d.rect.width <= w && d.rect.y + d.rect.height <= h);
        }
        if read.digits.len() == n {
            segmented += 1;
            digits_total += n;
            digits_right += read.text.chars().zip(truth.chars()).filter(|(a, b)| a == b).count();
        }
        if read.text == truth {
            exact += 1;
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    eprintln!(
        "{path:?}: numbers of 2-6 fixture digits, gaps {gap:?} of the height, slant up to {max_slant}: segmented right {segmented}/{numbers} ({:.1}%), read exactly {exact}/{numbers} ({:.1}%), digits right where segmented {digits_right}/{digits_total} ({:.1}%)",
        pct(segmented, numbers),
        pct(exact, numbers),
        pct(digits_right, digits_total)
    );
    (
        pct(segmented, numbers),
        pct(exact, numbers),
        pct(digits_right, digits_total),
    )
}

#[test]
fn numbers_from_the_stroke_fixture_are_read_digit_by_digit() {
    let (segmented, exact, digits) = read_numbers(2026, 0.12..0.6, 0.15, Path::Pixels);
    assert!(segmented >= 95.0, "segmentation fell to {segmented}%");
    assert!(digits >= 90.0, "digit accuracy in numbers fell to {digits}%");
    assert!(exact >= 70.0, "whole-number accuracy fell to {exact}%");
}

/// Gaps below the pen's width: most neighbours touch, so the pixel segmenter has to cut
/// connected ink apart. Measured with the committed model: 62.7% segmented right, 56.0% read
/// exactly, 94.8% of digits right where segmented (the MNIST-only model: 73.3%, 52.0%, 86.7%:
/// it cut more often, and more often wrongly).
#[test]
fn touching_slanted_numbers_are_mostly_cut_apart() {
    let (segmented, exact, digits) = read_numbers(1998, 0.0..0.12, 0.3, Path::Pixels);
    assert!(
        segmented >= 55.0,
        "segmentation of touching numbers fell to {segmented}%"
    );
    assert!(exact >= 48.0, "touching numbers read exactly fell to {exact}%");
    assert!(digits >= 88.0, "digit accuracy in touching numbers fell to {digits}%");
}

/// The page's path: the same numbers from their pen strokes. Strokes drawn separately stay
/// apart where their ink touches, so tight writing is segmented nearly as well as loose
/// writing. Measured with the committed model: loose 100% segmented, 99.3% exact; tight 98.7%
/// and 95.3% (the MNIST-only model: 88.0% and 81.3% exact, most misses fixture 1s with a flag
/// read as 7). The floors are the goals of issue #17.
#[test]
fn numbers_from_strokes_are_read_digit_by_digit_loose_and_tight() {
    let (segmented, exact, digits) = read_numbers(2026, 0.12..0.6, 0.15, Path::Strokes);
    assert!(segmented >= 99.9, "loose, strokes: segmentation fell to {segmented}%");
    assert!(exact >= 90.0, "loose, strokes: whole-number accuracy fell to {exact}%");
    assert!(digits >= 97.0, "loose, strokes: digit accuracy fell to {digits}%");
    let (segmented, exact, digits) = read_numbers(1998, 0.0..0.12, 0.3, Path::Strokes);
    assert!(segmented >= 90.0, "tight, strokes: segmentation fell to {segmented}%");
    assert!(exact >= 85.0, "tight, strokes: whole-number accuracy fell to {exact}%");
    assert!(digits >= 96.0, "tight, strokes: digit accuracy fell to {digits}%");
}

/// While the pen moves, the page reads the number on every frame: a digit being begun (the top
/// arc of a 3, half a 0) is not cut into slivers that read as a row of digits.
#[test]
fn a_digit_being_written_is_not_cut_into_a_row_of_digits() {
    let fixture = common::stroke_fixture("strokes.json");
    let mut r = committed();
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let (mut frames, mut over, mut worst) = (0, 0, 0usize);
    for _ in 0..20 {
        let n = rng.random_range(2..=6usize);
        let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..fixture.len())).collect();
        let digits: Vec<_> = picks.iter().map(|&i| normalise(&fixture[i].1)).collect();
        let heights = vec![120.0; n];
        let gaps: Vec<f32> = (0..n).map(|_| rng.random_range(0.12..0.6f32)).collect();
        let written = write_number(&digits, &heights, &gaps, &vec![0.0; n], 0.1);
        // Which digit each stroke belongs to, in writing order.
        let owners: Vec<usize> = digits
            .iter()
            .enumerate()
            .flat_map(|(i, d)| vec![i; d.0.len()])
            .collect();
        for (k, stroke) in written.strokes.iter().enumerate() {
            // The stroke point by point, densified to a few pixels as a pointer reports it.
            let mut path = vec![stroke.points[0]];
            for w in stroke.points.windows(2) {
                let steps = ((w[1].x - w[0].x).hypot(w[1].y - w[0].y) / 3.0).ceil().max(1.0) as usize;
                path.extend((1..=steps).map(|j| {
                    let t = j as f32 / steps as f32;
                    lenet5::ink::strokes::Point {
                        x: w[0].x + t * (w[1].x - w[0].x),
                        y: w[0].y + t * (w[1].y - w[0].y),
                    }
                }));
            }
            for end in 1..=path.len() {
                let mut drawn = written.strokes[..k].to_vec();
                drawn.push(Stroke::new(path[..end].to_vec()));
                let read = r.recognize_number_strokes(&drawn, written.pen).unwrap();
                let begun = owners[k] + 1;
                frames += 1;
                if read.digits.len() > begun {
                    over += 1;
                    if std::env::var("SEG_DEBUG").is_ok() {
                        eprintln!(
                            "{begun} begun ({}) read as {} {:?}",
                            picks.iter().map(|&i| fixture[i].0.clone()).collect::<String>(),
                            read.text,
                            read.digits
                                .iter()
                                .map(|d| (d.rect.x, d.rect.width, d.rect.height))
                                .collect::<Vec<_>>()
                        );
                    }
                }
                worst = worst.max(read.digits.len().saturating_sub(begun));
            }
        }
    }
    eprintln!(
        "numbers written point by point: {over} of {frames} live readings had more digits than begun (worst excess {worst})"
    );
    // A half-drawn digit can look like two (the bar and the start of a 7's stem as "11"), but
    // never like a row of them: before pieces had to be as tall as the number's digits and two
    // pen widths, 14.7% of these frames had too many digits, up to 17 too many.
    assert!(worst <= 2, "a digit being written was cut into {} pieces", worst + 1);
    assert!(
        over * 100 <= frames * 8,
        "{over} of {frames} live readings had more digits than begun"
    );
}

/// The page's one call per frame: the number, the digit in focus and its feature maps, each
/// the same as the separate calls give.
#[test]
fn read_strokes_gives_the_number_the_digit_in_focus_and_its_maps() {
    let fixture = common::stroke_fixture("strokes.json");
    let digits: Vec<_> = [3usize, 40, 77].iter().map(|&i| normalise(&fixture[i].1)).collect();
    let mut r = committed();

    // One digit: the focus is exactly the whole drawing read as one digit.
    let one = write_number(&digits[..1], &[120.0], &[0.3], &[0.0], 0.0);
    let read = r.read_strokes(&one.strokes, one.pen, true).unwrap();
    assert_eq!(read.number, r.recognize_number_strokes(&one.strokes, one.pen).unwrap());
    assert_eq!(read.focus, r.recognize_strokes(&one.strokes, one.pen).unwrap());
    assert_eq!(read.maps.as_ref(), Some(&r.feature_maps(&read.focus.input).unwrap()));
    // The maps came from the reading's own run of the network: the same probabilities, bit
    // for bit, as the plan without them.
    let mut model =
        lenet5::Model::from_bytes(&std::fs::read(common::repo_root().join("model/lenet5.onnx")).unwrap()).unwrap();
    let (p, maps) = model.predict_with_maps(&read.focus.input).unwrap();
    assert_eq!(
        p.map(f32::to_bits),
        model.predict(&read.focus.input).unwrap().map(f32::to_bits)
    );
    assert_eq!(Some(&maps), read.maps.as_ref());

    // Three digits: the focus is the last one, where the pen was last.
    let three = write_number(&digits, &[120.0; 3], &[0.3; 3], &[0.0; 3], 0.0);
    let read = committed().read_strokes(&three.strokes, three.pen, true).unwrap();
    assert_eq!(
        read.number,
        r.recognize_number_strokes(&three.strokes, three.pen).unwrap()
    );
    assert_eq!(read.number.digits.len(), 3, "{:?}", read.number.text);
    let last = &read.number.digits[2];
    assert_eq!(read.focus.rect, Some(last.rect));
    assert_eq!(read.focus.digit, Some(last.digit));
    assert_eq!(read.focus.confidence, last.confidence);
    assert_eq!(read.maps.as_ref(), Some(&r.feature_maps(&read.focus.input).unwrap()));
    // The first digit's strokes undone from the end: the focus follows the pen.
    let two_then_first: Vec<Stroke> = three.strokes[digits[0].0.len()..]
        .iter()
        .chain(&three.strokes[..digits[0].0.len()])
        .cloned()
        .collect();
    let read = r.read_strokes(&two_then_first, three.pen, false).unwrap();
    assert_eq!(
        read.focus.rect,
        Some(read.number.digits[0].rect),
        "the first digit was drawn last"
    );
    assert!(read.maps.is_none(), "no maps unless asked for");

    // An empty pad: no digits, an empty focus, no maps.
    let read = r.read_strokes(&[], three.pen, true).unwrap();
    assert!(read.focus.empty && read.number.digits.is_empty() && read.maps.is_none());
}

/// Two digits read as a number are shown as one digit only when the network reads the whole
/// drawing surely as one: real pairs of fixture digits almost never are (measured with the
/// committed model: 3 of 297 pairs, written tight or loose, shown whole: a 13 read as 3, a 91 as
/// 9, a 44 as 4).
#[test]
fn two_digits_are_shown_whole_only_when_read_surely_as_one() {
    let fixture = common::stroke_fixture("strokes.json");
    let mut r = committed();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let (mut pairs, mut whole) = (0, 0);
    for k in 0..300 {
        let picks = [rng.random_range(0..fixture.len()), rng.random_range(0..fixture.len())];
        let digits: Vec<_> = picks.iter().map(|&i| normalise(&fixture[i].1)).collect();
        let gap = if k % 2 == 0 {
            rng.random_range(0.0..0.12f32)
        } else {
            rng.random_range(0.15..0.4f32)
        };
        let written = write_number(&digits, &[120.0; 2], &[gap; 2], &[0.0; 2], 0.0);
        let read = r.read_strokes(&written.strokes, written.pen, false).unwrap();
        if read.number.digits.len() != 2 {
            continue;
        }
        pairs += 1;
        let as_one = r.recognize_strokes(&written.strokes, written.pen).unwrap();
        if read.focus == as_one {
            assert!(
                as_one.sure,
                "the whole is shown only when read surely as one digit: {as_one:?}"
            );
            whole += 1;
            eprintln!(
                "shown whole: {}{} read as {:?}",
                fixture[picks[0]].0, fixture[picks[1]].0, as_one.digit
            );
        } else {
            assert!(
                !as_one.sure,
                "read surely as one digit, yet not shown whole: {as_one:?}"
            );
            assert!(
                read.number.digits.iter().any(|d| Some(d.rect) == read.focus.rect),
                "the focus is one of the digits"
            );
        }
    }
    eprintln!("pairs read as two digits: {pairs}; shown as one digit: {whole}");
    assert!(pairs >= 250, "{pairs}");
    assert!(whole * 100 <= pairs * 3, "{whole} of {pairs} pairs shown as one digit");
}

#[test]
fn multi_stroke_digits_stay_whole() {
    // 4 in two strokes, 5 with its cap as a separate stroke, 7 with a crossbar, 1 with a base.
    let four = common::digit_strokes(4);
    let five = vec![
        vec![
            (0.3, 0.05),
            (0.25, 0.45),
            (0.45, 0.4),
            (0.7, 0.5),
            (0.75, 0.72),
            (0.6, 0.92),
            (0.25, 0.9),
        ],
        vec![(0.3, 0.05), (0.8, 0.05)],
    ];
    let seven = vec![
        vec![(0.15, 0.05), (0.85, 0.05), (0.4, 1.0)],
        vec![(0.3, 0.52), (0.75, 0.5)],
    ];
    let one = vec![vec![(0.3, 0.2), (0.55, 0.0), (0.55, 1.0)], vec![(0.3, 1.0), (0.8, 1.0)]];
    let digits: Vec<_> = [four, five, seven, one].iter().map(normalise).collect();
    let written = write_number(&digits, &[120.0; 4], &[0.35; 4], &[0.0; 4], 0.0);
    let mut r = committed();
    for path in [Path::Pixels, Path::Strokes] {
        let read = read(&mut r, &written, path);
        assert_eq!(read.digits.len(), 4, "{path:?}: {read:?}");
        assert_eq!(read.text, "4571", "{path:?}: {read:?}");
    }
}

#[test]
fn an_empty_pad_reads_as_no_number() {
    let mut r = committed();
    let c = common::blank(400, 200, common::DARK_ON_LIGHT);
    let read = r.recognize_number(&c, 400, 200).unwrap();
    assert_eq!(read.text, "");
    assert!(read.digits.is_empty());
    assert!(r.recognize_number(&c[..10], 400, 200).is_err());
}

#[test]
fn a_single_digit_reads_as_itself() {
    let mut r = committed();
    for d in 0..10u8 {
        let n = write_number(&[normalise(&common::digit_strokes(d))], &[150.0], &[0.0], &[0.0], 0.0);
        let one = r.recognize(&n.rgba, n.w, n.h).unwrap();
        let num = r.recognize_number(&n.rgba, n.w, n.h).unwrap();
        assert_eq!(num.text, one.digit.unwrap().to_string());
        let one = r.recognize_strokes(&n.strokes, n.pen).unwrap();
        let num = r.recognize_number_strokes(&n.strokes, n.pen).unwrap();
        assert_eq!(num.text, one.digit.unwrap().to_string(), "strokes");
    }
}

#[test]
fn feature_maps_are_the_networks_own_activations() {
    let params = Params::init(5, C3Mode::Paper);
    let bytes = export::to_bytes(&params, &[]);
    let mut r = Recognizer::new(&bytes).unwrap();
    assert!(r.has_feature_maps());
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let x: Vec<f32> = (0..INPUT_LEN).map(|_| rng.random_range(0.0..1.0)).collect();
    let [c1, c3] = r.feature_maps(&x).unwrap();
    assert_eq!((c1.channels, c1.height, c1.width), (6, 28, 28));
    assert_eq!((c3.channels, c3.height, c3.width), (16, 10, 10));
    let mut ws = Workspace::new(1);
    ws.forward(&params, &x);
    for (name, tract, ours) in [("c1", &c1.data, ws.c1()), ("c3", &c3.data, ws.c3())] {
        assert_eq!(tract.len(), ours.len());
        let worst = tract.iter().zip(ours).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-5, "{name}: tract and the trainer differ by {worst}");
    }
    // Different digits, different maps; bad inputs are refused, not a panic.
    let [c1b, _] = r.feature_maps(&vec![0.0; INPUT_LEN]).unwrap();
    assert_ne!(c1.data, c1b.data);
    assert!(r.feature_maps(&[0.0; 10]).is_err());
    assert!(r.feature_maps(&vec![f32::NAN; INPUT_LEN]).is_err());
}

#[test]
fn feature_maps_are_found_in_models_named_otherwise_and_refused_without_convolutions() {
    let params = Params::init(5, C3Mode::Full);
    let mut proto = export::to_model(&params, &[]);
    let graph = proto.graph.as_mut().unwrap();
    for (i, node) in graph.node.iter_mut().enumerate() {
        node.name = format!("node{i}");
    }
    let renamed = Recognizer::new(&proto.encode_to_vec()).unwrap();
    assert!(renamed.has_feature_maps());
    let mut renamed = renamed;
    let [c1, c3] = renamed.feature_maps(&vec![0.5; INPUT_LEN]).unwrap();
    assert_eq!((c1.channels, c3.channels), (6, 16));

    // A model the recognizer cannot run is refused up front, naming the operator.
    let mut odd = proto.clone();
    for node in odd
        .graph
        .as_mut()
        .unwrap()
        .node
        .iter_mut()
        .filter(|n| n.op_type == "Conv")
    {
        node.op_type = "ConvTranspose".into();
    }
    let err = Recognizer::new(&odd.encode_to_vec()).unwrap_err().to_string();
    assert!(err.contains("ConvTranspose") && err.contains("does not run"), "{err}");

    // A model without convolutions (logistic regression on the pixels) still recognises, but
    // has no feature maps to show.
    use lenet5::onnx::pb;
    let g = proto.graph.as_mut().unwrap();
    let node = |op: &str, inputs: &[&str], output: &str, attribute: Vec<pb::AttributeProto>| pb::NodeProto {
        name: output.into(),
        op_type: op.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute,
        ..Default::default()
    };
    let weights = |name: &str, dims: Vec<i64>, len: usize| pb::TensorProto {
        name: name.into(),
        dims,
        data_type: pb::tensor_proto::DataType::Float as i32,
        float_data: (0..len).map(|i| ((i * 7919) % 13) as f32 * 0.01 - 0.06).collect(),
        ..Default::default()
    };
    let trans_b = pb::AttributeProto {
        name: "transB".into(),
        i: 1,
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        ..Default::default()
    };
    g.node = vec![
        node("Flatten", &["input"], "flat", vec![]),
        node("Gemm", &["flat", "w", "b"], "logits", vec![trans_b]),
        node("Softmax", &["logits"], "probabilities", vec![]),
    ];
    g.initializer = vec![weights("w", vec![10, 1024], 10 * 1024), weights("b", vec![10], 10)];
    let mut flat = Recognizer::new(&proto.encode_to_vec()).expect("a conv-free model honours the contract");
    assert!(!flat.has_feature_maps());
    let err = flat.feature_maps(&vec![0.5; INPUT_LEN]).unwrap_err();
    assert!(err.to_string().contains("no convolution"), "{err}");
    assert!(flat.predict(&vec![0.5; INPUT_LEN]).is_ok());
}

#[test]
fn the_reject_rule_doubts_non_digits_far_more_than_digits() {
    let mut r = committed();
    let side = 280;
    let sure_rate = |r: &mut Recognizer, file: &str| {
        let fixture = common::stroke_fixture(file);
        let sure = fixture
            .iter()
            .filter(|(_, s)| r.recognize(&common::render_pad(s, side), side, side).unwrap().sure)
            .count();
        sure as f64 / fixture.len() as f64
    };
    let digits = sure_rate(&mut r, "strokes.json");
    let non = sure_rate(&mut r, "nondigits.json");
    eprintln!(
        "reject rule: sure on {:.1}% of drawn digits, not sure on {:.1}% of non-digits",
        100.0 * digits,
        100.0 * (1.0 - non)
    );
    // Measured with the committed model: sure on 96.8% of the digits, not sure on 91.0% of the
    // non-digits (the MNIST-only model with its rule: 94.1% and 46.6%).
    assert!(digits >= 0.95, "the rule doubts too many digits: sure on {digits}");
    assert!(1.0 - non >= 0.8, "the rule doubts too few non-digits: {non} sure");
    // An empty pad is never a sure reading.
    let empty = r
        .recognize(&common::blank(side, side, common::TRANSPARENT), side, side)
        .unwrap();
    assert!(!empty.sure && empty.runner_up.is_none());
}
