//! What the fuzz targets check, decoded from raw fuzzer bytes.
//!
//! The same file is compiled into `crate/tests/fuzz_regressions.rs` (`#[path]`), which runs every
//! saved crasher in `crate/tests/fuzz-regressions/<target>/` through the very same check, so a
//! regression test fails exactly when the fuzz target would. It only needs `lenet5` and `prost`
//! (a dependency of `lenet5` too). Inputs are decoded by hand ([`Bytes`]) rather than with the
//! `arbitrary` crate so that a saved input keeps its meaning whatever crate versions come later.

use std::sync::{LazyLock, Mutex};

use lenet5::ink::preprocess::{self, Components, Ink, Rect};
use lenet5::ink::segment;
use lenet5::onnx::contract::{CLASSES, INPUT_LEN, INPUT_SIDE};
use lenet5::onnx::pb;
use lenet5::{Error, Model, Recognizer};
use prost::Message;

/// The tests' canvas rasteriser (round-capped, anti-aliased strokes, like a browser canvas).
#[path = "../../tests/common/mod.rs"]
mod common;

/// The model the page ships.
pub const COMMITTED_MODEL: &[u8] = include_bytes!("../../../model/lenet5.onnx");

/// Largest canvas side the `preprocess` target tries.
pub const MAX_SIDE: usize = 512;
/// Most pixels in a fuzzed canvas: the instrumented pixel loops run at about 5 M pixels/s,
/// and a million runs must fit in minutes. Either side can still reach its maximum.
pub const MAX_AREA: usize = 96 * 96;
/// Largest canvas sides the `segment` target draws on (a number pad), within [`MAX_AREA`].
pub const SEGMENT_MAX: (usize, usize) = (300, 120);
/// Most pen points the `segment` target draws.
const MAX_POINTS: usize = 64;

/// Reads fuzzer bytes front to back; past the end every read is 0.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    pub fn u24(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), 0])
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    pub fn rest(self) -> &'a [u8] {
        self.data
    }
}

// ---------------------------------------------------------------------------------------------
// model_load / model_mutate

/// Loading must fail with a [`Error::Model`] or give a recognizer that honours the contract.
pub fn check_model(bytes: &[u8]) {
    // The native path (tract's general one) and the browser's direct loader.
    for load in [Model::from_bytes, Model::from_bytes_direct] {
        match load(bytes) {
            Ok(mut model) => check_loaded(&mut model),
            Err(Error::Model(msg)) => assert!(!msg.is_empty(), "an empty error message"),
            Err(e) => panic!("model loading failed with the wrong kind of error: {e}"),
        }
    }
}

/// A loaded model runs on other inputs than the two probes loading ran, or says why not.
fn check_loaded(r: &mut Model) {
    let mut diagonal = [0f32; INPUT_LEN];
    for i in 4..28 {
        diagonal[i * INPUT_SIDE + i] = 1.0;
    }
    for input in [[0.5f32; INPUT_LEN], diagonal] {
        match r.predict(&input) {
            Ok(p) => check_probabilities(&p),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    assert!(r.predict(&[0.0; 3]).is_err(), "a 3-value input was accepted");
    if r.has_feature_maps() {
        match r.feature_maps(&diagonal) {
            Ok(maps) => {
                for m in &maps {
                    assert_eq!(m.data.len(), m.channels * m.height * m.width, "feature map size");
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

fn check_probabilities(p: &[f32; CLASSES]) {
    let sum: f32 = p.iter().sum();
    assert!(
        p.iter().all(|v| v.is_finite() && *v >= -1e-4) && (sum - 1.0).abs() <= 1e-3,
        "the model's output is not a probability distribution: {p:?}"
    );
}

/// The base models `model_mutate` edits: small valid models first, the committed one last.
pub fn base_models() -> &'static [Vec<u8>] {
    static BASES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
        let mut v: Vec<Vec<u8>> = small_models().into_iter().map(|m| m.encode_to_vec()).collect();
        v.push(COMMITTED_MODEL.to_vec());
        v
    });
    &BASES
}

/// `model_mutate`: a base model (first byte) with byte edits at fuzzer-chosen offsets (5 bytes
/// each: operation, offset, value), so mutations reach past the parser into tract's analysis,
/// optimisation and execution. The committed model is mostly weights: its edits land in its
/// first and last 4 KB (the graph, the initializers' headers, the declared inputs/outputs and
/// metadata) unless the operation says otherwise.
pub fn check_model_mutation(data: &[u8]) {
    let mut b = Bytes::new(data);
    let bases = base_models();
    let which = usize::from(b.u8()) % bases.len();
    let mut bytes = bases[which].clone();
    let committed = which + 1 == bases.len();
    let mut edits = 0;
    while !b.is_empty() && edits < 16 {
        edits += 1;
        let (op, offset, value) = (b.u8(), b.u24() as usize, b.u8());
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        let at = if committed && op & 0x80 == 0 {
            // Head or tail of the file.
            let k = offset % 8192;
            if k < 4096 {
                k.min(len - 1)
            } else {
                len.saturating_sub(8192 - k)
            }
        } else {
            offset % len
        };
        match op % 8 {
            0 | 1 => bytes[at] ^= value.max(1),
            2 => bytes[at] = value,
            3 => bytes.insert(at, value),
            4 => {
                bytes.remove(at);
            }
            5 => bytes.truncate(at),
            // A protobuf varint: sizes, dims, enums, lengths.
            6 => {
                let n = usize::from(value % 10) + 1;
                let end = (at + n).min(len);
                bytes[at..end].fill(0xff);
                bytes[end - 1] = value & 0x7f;
            }
            _ => {
                let end = (at + usize::from(value)).min(len);
                bytes[at..end].fill(0);
            }
        }
    }
    if edits == 0 {
        assert!(Recognizer::new(&bytes).is_ok(), "base model {which} does not load");
    }
    check_model(&bytes)
}

/// Small models that honour the contract and use every operator the recognizer runs: quick to
/// load, mostly structure rather than weights (seeds for `model_load`, bases for `model_mutate`).
pub fn small_models() -> Vec<pb::ModelProto> {
    use pb::attribute_proto::AttributeType;
    let ints = |name: &str, v: &[i64]| pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::Ints as i32,
        ints: v.to_vec(),
        ..Default::default()
    };
    let int = |name: &str, v: i64| pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::Int as i32,
        i: v,
        ..Default::default()
    };
    let float = |name: &str, v: f32| pb::AttributeProto {
        name: name.into(),
        r#type: AttributeType::Float as i32,
        f: v,
        ..Default::default()
    };
    let node = |op: &str, inputs: &[&str], output: &str, attribute: Vec<pb::AttributeProto>| pb::NodeProto {
        name: output.into(),
        op_type: op.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute,
        ..Default::default()
    };
    // Deterministic small weights, as raw little-endian bytes or as float_data.
    let mut seed = 0x2545_f491_u32;
    let mut weights = |name: &str, dims: &[i64], raw: bool| {
        let n = dims.iter().product::<i64>() as usize;
        let values: Vec<f32> = (0..n)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        pb::TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: pb::tensor_proto::DataType::Float as i32,
            raw_data: if raw {
                values.iter().flat_map(|v| v.to_le_bytes()).collect()
            } else {
                vec![]
            },
            float_data: if raw { vec![] } else { values },
            ..Default::default()
        }
    };
    let value = |name: &str, dims: &[Option<i64>]| {
        use pb::tensor_shape_proto::{Dimension, dimension::Value};
        pb::ValueInfoProto {
            name: name.into(),
            r#type: Some(pb::TypeProto {
                value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                    elem_type: pb::tensor_proto::DataType::Float as i32,
                    shape: Some(pb::TensorShapeProto {
                        dim: dims
                            .iter()
                            .map(|d| Dimension {
                                value: Some(d.map_or(Value::DimParam("N".into()), Value::DimValue)),
                                ..Default::default()
                            })
                            .collect(),
                    }),
                })),
                ..Default::default()
            }),
            ..Default::default()
        }
    };
    let model = |name: &str, node: Vec<pb::NodeProto>, initializer: Vec<pb::TensorProto>| pb::ModelProto {
        ir_version: 7,
        opset_import: vec![pb::OperatorSetIdProto {
            domain: String::new(),
            version: 13,
        }],
        graph: Some(pb::GraphProto {
            name: name.into(),
            node,
            initializer,
            input: vec![value("input", &[None, Some(1), Some(32), Some(32)])],
            output: vec![value("probabilities", &[None, Some(10)])],
            ..Default::default()
        }),
        metadata_props: vec![pb::StringStringEntryProto {
            key: "seed".into(),
            value: name.into(),
        }],
        ..Default::default()
    };
    let cnn = |raw: bool, weights: &mut dyn FnMut(&str, &[i64], bool) -> pb::TensorProto| {
        model(
            if raw { "cnn" } else { "cnn-float-data" },
            vec![
                node(
                    "AveragePool",
                    &["input"],
                    "s0",
                    vec![ints("kernel_shape", &[4, 4]), ints("strides", &[4, 4])],
                ),
                node(
                    "Conv",
                    &["s0", "c1.w", "c1.b"],
                    "c1",
                    vec![ints("kernel_shape", &[3, 3]), ints("pads", &[1, 1, 1, 1])],
                ),
                node("Relu", &["c1"], "c1_relu", vec![]),
                node(
                    "MaxPool",
                    &["c1_relu"],
                    "s2",
                    vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])],
                ),
                node(
                    "Conv",
                    &["s2", "c3.w", "c3.b"],
                    "c3",
                    vec![ints("kernel_shape", &[3, 3])],
                ),
                node("Tanh", &["c3"], "c3_tanh", vec![]),
                node("Flatten", &["c3_tanh"], "flat", vec![int("axis", 1)]),
                node(
                    "Gemm",
                    &["flat", "f.w", "f.b"],
                    "logits",
                    vec![int("transB", 1), float("alpha", 2.0)],
                ),
                node("Softmax", &["logits"], "probabilities", vec![int("axis", 1)]),
            ],
            vec![
                weights("c1.w", &[2, 1, 3, 3], raw),
                weights("c1.b", &[2], raw),
                weights("c3.w", &[2, 2, 3, 3], raw),
                weights("c3.b", &[2], raw),
                weights("f.w", &[10, 8], raw),
                weights("f.b", &[10], raw),
            ],
        )
    };
    let mlp = model(
        "mlp",
        vec![
            node(
                "AveragePool",
                &["input"],
                "s0",
                vec![ints("kernel_shape", &[8, 8]), ints("strides", &[8, 8])],
            ),
            node("Constant", &[], "shape", vec![ints("value_ints", &[-1, 16])]),
            node("Reshape", &["s0", "shape"], "flat", vec![]),
            node("MatMul", &["flat", "w"], "mm", vec![]),
            node("Add", &["mm", "b"], "z", vec![]),
            node("Sigmoid", &["z"], "act", vec![]),
            node("Constant", &[], "k", vec![float("value_float", 4.0)]),
            node("Mul", &["act", "k"], "scaled", vec![]),
            node("Dropout", &["scaled"], "dropped", vec![]),
            node("Identity", &["dropped"], "logits", vec![]),
            node("Softmax", &["logits"], "probabilities", vec![]),
        ],
        vec![weights("w", &[16, 10], true), weights("b", &[10], true)],
    );
    vec![cnn(true, &mut weights), cnn(false, &mut weights), mlp]
}

// ---------------------------------------------------------------------------------------------
// preprocess

/// `preprocess`: a layout byte, width and height (each up to [`MAX_SIDE`], the height cut so
/// that the canvas holds at most [`MAX_AREA`] pixels), then pixels: as given (any length,
/// usually not width*height*4), or repeated to the right length, give or take one.
pub fn check_preprocess(data: &[u8]) {
    let mut b = Bytes::new(data);
    let layout = b.u8();
    let w = usize::from(b.u16()) % (MAX_SIDE + 1);
    let h = (usize::from(b.u16()) % (MAX_SIDE + 1)).min(MAX_AREA / w.max(1));
    let pixels = b.rest();
    let want = w * h * 4;
    let rgba: Vec<u8> = match layout % 8 {
        0 => pixels.to_vec(),
        1 => pixels.iter().copied().cycle().take(want.saturating_sub(1)).collect(),
        2 => pixels.iter().copied().cycle().take(want + 1).collect(),
        _ if pixels.is_empty() => vec![0; want],
        _ => pixels.iter().copied().cycle().take(want).collect(),
    };
    let exact = w > 0 && h > 0 && rgba.len() == want;
    match preprocess::preprocess(&rgba, w, h) {
        Err(Error::Input(_)) => assert!(!exact, "a valid {w}x{h} canvas was refused"),
        Err(e) => panic!("wrong kind of error: {e}"),
        Ok(_) if !exact => panic!("a {w}x{h} canvas of {} bytes was accepted", rgba.len()),
        Ok(None) => {}
        Ok(Some(framed)) => {
            assert_eq!(framed.input.len(), INPUT_LEN);
            if let Some(v) = framed.input.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                panic!("the network input holds {v}, outside [0, 1]");
            }
            check_rect(&framed.rect, w, h);
        }
    }
    if exact {
        let ink = Ink::from_rgba(&rgba, w, h).expect("the canvas was accepted above");
        assert_eq!(ink.values.len(), w * h);
        if let Some(v) = ink.values.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            panic!("ink value {v} outside [0, 1]");
        }
        check_components(&Components::find(&ink), w, h);
    }
}

fn check_rect(r: &Rect, w: usize, h: usize) {
    assert!(
        r.width > 0 && r.height > 0 && r.x + r.width <= w && r.y + r.height <= h,
        "{r:?} is not inside the {w}x{h} canvas"
    );
}

fn check_components(comps: &Components, w: usize, h: usize) {
    assert_eq!(comps.labels.len(), w * h);
    let mut area = vec![0usize; comps.list.len()];
    for (i, &l) in comps.labels.iter().enumerate() {
        if l == 0 {
            continue;
        }
        let c = comps
            .list
            .get(l as usize - 1)
            .unwrap_or_else(|| panic!("label {l} has no stroke"));
        let (x, y) = (i % w, i / w);
        let r = c.rect;
        assert!(
            x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height,
            "pixel outside its box"
        );
        area[l as usize - 1] += 1;
    }
    for (c, a) in comps.list.iter().zip(area) {
        check_rect(&c.rect, w, h);
        assert_eq!(c.area, a, "a stroke's area is not its pixel count");
    }
}

// ---------------------------------------------------------------------------------------------
// segment

/// The committed model, loaded once per process.
fn recognizer() -> std::sync::MutexGuard<'static, Recognizer> {
    static R: LazyLock<Mutex<Recognizer>> =
        LazyLock::new(|| Mutex::new(Recognizer::new(COMMITTED_MODEL).expect("the committed model loads")));
    R.lock().unwrap_or_else(|e| e.into_inner())
}

/// A canvas drawn from fuzzer bytes: width, height, layout, colours, pen, then pen points (x, y, flag; an odd flag lifts the pen before the point); or,
/// with layout bit 7, pixels repeated to fill the canvas.
pub fn segment_canvas(b: &mut Bytes<'_>) -> (Vec<u8>, usize, usize) {
    let w = usize::from(b.u16()) % (SEGMENT_MAX.0 + 1);
    let h = (usize::from(b.u8()) % (SEGMENT_MAX.1 + 1)).min(MAX_AREA / w.max(1));
    let layout = b.u8();
    if layout & 0x80 != 0 {
        let pixels = std::mem::replace(b, Bytes::new(&[])).rest();
        let rgba = if pixels.is_empty() {
            vec![0; w * h * 4]
        } else {
            pixels.iter().copied().cycle().take(w * h * 4).collect()
        };
        return (rgba, w, h);
    }
    let (ink, bg) = match layout % 4 {
        0 => ([20, 20, 30, 255], [255, 255, 255, 255]),
        1 => ([250, 250, 250, 255], [10, 12, 20, 255]),
        2 => ([0, 0, 0, 255], [0, 0, 0, 0]),
        _ => ([b.u8(), b.u8(), b.u8(), b.u8()], [b.u8(), b.u8(), b.u8(), b.u8()]),
    };
    let pen = 0.5 + f32::from(b.u8() % 64) / 4.0;
    let mut strokes: Vec<Vec<(f32, f32)>> = Vec::new();
    for _ in 0..MAX_POINTS {
        if b.is_empty() {
            break;
        }
        let (x, y, flag) = (b.u8(), b.u8(), b.u8());
        let p = (f32::from(x) / 255.0 * w as f32, f32::from(y) / 255.0 * h as f32);
        match strokes.last_mut() {
            Some(s) if flag & 1 == 0 => s.push(p),
            _ => strokes.push(vec![p]),
        }
    }
    let style = common::Style { ink, bg };
    let mut rgba = common::blank(w, h, style);
    common::draw(&mut rgba, w, h, &strokes, pen, style);
    (rgba, w, h)
}

/// A stand-in for the network, much faster than the real one: a digit and a confidence that
/// depend on the input (a hash of it) and on the fuzzer's `oracle` byte, so the fuzzer decides
/// whether cutting a wide group pays off. Bit 6 of the oracle: fail like a broken model would.
fn fake_classifier(oracle: u8) -> impl FnMut(&[f32]) -> Result<[f32; CLASSES], Error> {
    let mut calls = 0u32;
    move |input| {
        calls += 1;
        if oracle & 0x40 != 0 && calls > u32::from(oracle % 8) {
            return Err(Error::Internal("the stand-in network failed".into()));
        }
        let hash = input
            .iter()
            .fold(0xcbf2_9ce4_8422_2325_u64 ^ u64::from(oracle), |h, v| {
                (h ^ u64::from((v * 255.0) as u8)).wrapping_mul(0x100_0000_01b3)
            });
        let best = (hash % CLASSES as u64) as usize;
        let confidence = match oracle % 4 {
            0 => 0.99,
            1 => 0.5,
            2 => (hash >> 8) as f32 % 1000.0 / 1000.0,
            _ => 0.1,
        };
        let mut p = [(1.0 - confidence) / 9.0; CLASSES];
        p[best] = confidence;
        Ok(p)
    }
}

/// `segment`: an oracle byte, then a drawing ([`segment_canvas`]), read as a number by
/// [`segment::read_number`] with a stand-in network ([`fake_classifier`]): it never panics, every
/// digit's box lies within the canvas, and the strokes are grouped into digits each exactly once.
/// The stand-in is over ten times faster per drawing than the committed model in a fuzz build;
/// [`check_segment_recognizer`] reads the same drawing with the real one.
pub fn check_segment(data: &[u8]) {
    let mut b = Bytes::new(data);
    let oracle = b.u8();
    let (rgba, w, h) = segment_canvas(&mut b);
    let ink = match Ink::from_rgba(&rgba, w, h) {
        Ok(ink) => ink,
        Err(Error::Input(_)) => {
            assert!(w == 0 || h == 0, "a valid {w}x{h} canvas was refused");
            return;
        }
        Err(e) => panic!("wrong kind of error: {e}"),
    };
    let comps = Components::find(&ink);
    let mut seen: Vec<u32> = segment::group_digits(&comps).into_iter().flatten().collect();
    seen.sort_unstable();
    assert!(
        seen.iter().copied().eq(1..=comps.list.len() as u32),
        "strokes not grouped exactly once: {seen:?} of {}",
        comps.list.len()
    );
    let strokes = comps.list.len();
    match segment::read_number(&ink, comps, fake_classifier(oracle)) {
        Err(e) => assert!(oracle & 0x40 != 0, "only the stand-in's own failure may fail: {e}"),
        Ok(digits) => {
            // A group is cut at most MAX_DEPTH (5) times deep: at most 32 pieces per stroke.
            assert!(
                digits.len() <= strokes * 32,
                "{} digits from {strokes} strokes",
                digits.len()
            );
            for d in &digits {
                check_rect(&d.framed.rect, w, h);
                assert_eq!(d.framed.input.len(), INPUT_LEN);
                assert!(
                    d.framed.input.iter().all(|v| (0.0..=1.0).contains(v)),
                    "input outside [0, 1]"
                );
            }
        }
    }
}

/// The drawing of a `segment` input read by the committed model through
/// [`Recognizer::recognize_number`], what the page calls: the regression tests run it on every
/// saved input (the fuzz target does not: too slow).
pub fn check_segment_recognizer(data: &[u8]) {
    let mut b = Bytes::new(data);
    b.u8();
    let (rgba, w, h) = segment_canvas(&mut b);
    match recognizer().recognize_number(&rgba, w, h) {
        Err(Error::Input(_)) => assert!(w == 0 || h == 0, "a valid {w}x{h} canvas was refused"),
        Err(e) => panic!("reading a number failed: {e}"),
        Ok(reading) => {
            assert_eq!(reading.text.chars().count(), reading.digits.len());
            for (d, ch) in reading.digits.iter().zip(reading.text.chars()) {
                assert!(d.digit < 10 && d.runner_up < 10 && d.digit != d.runner_up);
                assert_eq!(ch, char::from(b'0' + d.digit));
                assert!((0.0..=1.0001).contains(&d.confidence), "confidence {}", d.confidence);
                assert!(d.runner_up_confidence <= d.confidence);
                check_rect(&d.rect, w, h);
            }
        }
    }
}

/// `strokes`: an oracle byte, a pen byte, a scale byte, then points (`x`, `y` as u16 and a
/// flag byte: bit 0 starts a new stroke, bit 1 takes the point's value from raw float bits, so
/// NaN, infinities and extremes reach the parser), read as pen strokes the way the page sends
/// them: parsed by [`Stroke::from_flat`] (refusing what it must, in words), then framed and read
/// as one digit and as a number by [`segment::read_number_strokes`] with the stand-in network. It
/// never panics, and every input it frames lies in [0, 1].
pub fn check_strokes(data: &[u8]) {
    use lenet5::ink::raster::frame_strokes;
    use lenet5::ink::strokes::{self, Stroke};
    let mut b = Bytes::new(data);
    let oracle = b.u8();
    let pen = [1e-6f32, 0.5, 3.0, 12.0, 80.0, 1e4, 0.0, f32::NAN][usize::from(b.u8() % 8)];
    let scale = [1.0f32, 0.01, 10.0, 1e3, 1e5][usize::from(b.u8() % 5)];
    let mut flat: Vec<Vec<f32>> = Vec::new();
    for _ in 0..MAX_POINTS {
        if b.is_empty() {
            break;
        }
        let (x, y, flag) = (b.u16(), b.u16(), b.u8());
        let value = |v: u16| {
            if flag & 2 != 0 {
                f32::from_bits(u32::from(v) << 16 | u32::from(v))
            } else {
                f32::from(v) / 65535.0 * scale
            }
        };
        match flat.last_mut() {
            Some(s) if flag & 1 == 0 => s.extend([value(x), value(y)]),
            _ => flat.push(vec![value(x), value(y)]),
        }
    }
    let mut parsed = Vec::new();
    for values in &flat {
        match Stroke::from_flat(values, 2) {
            Ok(s) => parsed.push(s),
            Err(Error::Input(why)) => assert!(!why.is_empty()),
            Err(e) => panic!("wrong kind of error: {e}"),
        }
    }
    if let Err(e) = strokes::check(&parsed, pen) {
        assert!(
            matches!(e, Error::Input(_)) && !(pen.is_finite() && pen > 0.0),
            "refused: {e}"
        );
        return;
    }
    let in_range = |input: &[f32]| input.len() == INPUT_LEN && input.iter().all(|v| (0.0..=1.0).contains(v));
    if let Some(framed) = frame_strokes(&parsed, pen) {
        assert!(in_range(&framed.input), "input outside [0, 1]");
    }
    let pieces = parsed.len();
    match segment::read_number_strokes(
        &parsed,
        pen,
        &mut segment::GroupMemo::default(),
        fake_classifier(oracle),
    ) {
        Err(e) => assert!(oracle & 0x40 != 0, "only the stand-in's own failure may fail: {e}"),
        Ok(digits) => {
            assert!(
                digits.len() <= pieces.max(1) * 32,
                "{} digits from {pieces} strokes",
                digits.len()
            );
            for d in &digits {
                assert!(in_range(&d.framed.input), "input outside [0, 1]");
            }
        }
    }
}
