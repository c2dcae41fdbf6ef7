//! Learning a person's handwriting from their corrections, in the browser or natively.
//!
//! A correction is the 32x32 network input of a drawing the person labelled. Fine-tuning
//! always starts again from the original weights (never from the last personal model, so
//! mistakes cannot compound) and takes a few dozen Adam steps on a minibatch of
//! corrections, each lightly and randomly warped so one drawing stands for the small
//! variations of the next, mixed with a replay minibatch of MNIST digits (distorted as in
//! training) plus an L2 pull toward the original weights (L2-SP, Li et al. 2018): the
//! replay and the pull keep it reading everyone else's digits, and C1/C3 (the stroke detectors
//! everyone's digits share) stay frozen. Measured with `examples/personalise.rs` (docs/learning.md). The same
//! code is compiled into the page's learning Web Worker ([`crate::web`]'s `learn`).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::augment::{self, Distortion};
use super::export;
use super::net::{self, C3Mode, Params, Workspace};
use super::trainer::{Adam, CHUNK, Samples};
use crate::error::Error;
use crate::ink::raster::frame_strokes;
use crate::ink::strokes::{self, Point, Stroke};
use crate::onnx::budget;
use crate::onnx::contract::{CLASSES, INPUT_LEN, INPUT_SIDE};
use crate::onnx::layers::{Activation, Layers, Op, Pool};
use crate::onnx::read;

/// Most corrections kept and learnt from: the oldest go first.
pub const MAX_CORRECTIONS: usize = 500;

/// One labelled drawing: the 32x32 input the network saw (0 = paper, 1 = ink), and the pen
/// strokes it was drawn with where the page kept them (then each step re-draws them a little
/// differently, [`redraw`], rather than warping the input's pixels).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Correction {
    pub input: Vec<f32>,
    pub label: u8,
    /// The drawing's strokes (empty: only the input is known, as for older corrections).
    pub strokes: Vec<Stroke>,
    /// The pen's width, in the strokes' units.
    pub pen_width: f32,
}

/// How a fine-tune runs. The defaults are what the page uses (measured in docs/learning.md).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Options {
    /// Adam steps (fewer when the corrections are learnt early, see `min_steps`).
    pub steps: usize,
    /// Stop after this many steps once every correction is read right with probability > 0.9.
    pub min_steps: usize,
    pub lr: f32,
    /// Corrections per step (all of them when there are fewer).
    pub corrections_per_step: usize,
    /// MNIST replay digits per step (0: no replay).
    pub replay_per_step: usize,
    /// Strength of the pull toward the original weights, per weight: lambda/2 * |w - w0|^2.
    pub anchor: f32,
    /// Warp each correction a little at every step.
    pub warp: bool,
    /// Keep C1 and C3 (the stroke and shape detectors everyone's digits share) as they are.
    pub freeze_convolutions: bool,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            steps: 40,
            min_steps: 12,
            lr: 1e-3,
            corrections_per_step: 16,
            replay_per_step: 16,
            anchor: 10.0,
            warp: true,
            freeze_convolutions: true,
            seed: 7,
        }
    }
}

/// What a fine-tune did.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub steps: usize,
    /// Mean cross-entropy on the (unwarped) corrections before and after.
    pub loss_before: f64,
    pub loss_after: f64,
    /// Corrections the model reads right, before and after.
    pub right_before: usize,
    pub right_after: usize,
}

/// The weights of an ONNX file written by [`export`] (the committed model, int8, float16 or
/// float32, or a personal model written by [`fine_tune`]), read through the one layer
/// description every reader uses ([`Layers`]). Other networks are refused in words: the trainer
/// only knows this one.
pub fn params_from_onnx(bytes: &[u8]) -> Result<Params, Error> {
    let not_ours = |why: String| Error::Model(format!("only this page's LeNet-5 can learn your handwriting: {why}"));
    let model = read::decode(bytes)?;
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| not_ours("the file has no graph".into()))?;
    for t in net::tensors() {
        if !graph.initializer.iter().any(|i| i.name == t.name) {
            return Err(not_ours(format!("it has no weights named {}", t.name)));
        }
    }
    let layers =
        Layers::parse(&model).map_err(|why| not_ours(format!("its layers differ from the exporter's ({why})")))?;
    budget::check(layers.costs())?;
    // The exporter's graph, layer by layer: (kind, output shape); the weights in storage order.
    let mut data: Vec<f32> = Vec::with_capacity(net::param_count());
    let mut kinds = Vec::new();
    for layer in &layers.layers {
        let kind = match &layer.op {
            Op::Conv(c) if c.pads == [0; 4] => {
                data.extend(&c.weights);
                data.extend(&c.bias);
                "conv"
            }
            Op::Dense(d) => {
                data.extend(&d.weights);
                data.extend(&d.bias);
                "dense"
            }
            Op::Activation(Activation::Relu) => "relu",
            Op::Pool(Pool::Max) => "max pool",
            Op::Reshape { .. } => "flatten",
            Op::Softmax => "softmax",
            _ => "other",
        };
        kinds.push((kind, layer.shape.clone()));
    }
    let expected: Vec<(&str, Vec<usize>)> = vec![
        ("conv", vec![1, 6, 28, 28]),
        ("relu", vec![1, 6, 28, 28]),
        ("max pool", vec![1, 6, 14, 14]),
        ("conv", vec![1, 16, 10, 10]),
        ("relu", vec![1, 16, 10, 10]),
        ("max pool", vec![1, 16, 5, 5]),
        ("conv", vec![1, 120, 1, 1]),
        ("relu", vec![1, 120, 1, 1]),
        ("flatten", vec![1, 120]),
        ("dense", vec![1, 84]),
        ("relu", vec![1, 84]),
        ("dense", vec![1, CLASSES]),
        ("softmax", vec![1, CLASSES]),
    ];
    if kinds != expected || data.len() != net::param_count() {
        return Err(not_ours("its layers differ from the exporter's".into()));
    }
    for t in net::tensors() {
        if data[t.offset..][..t.len].iter().any(|v| !v.is_finite()) {
            return Err(Error::Model(format!(
                "the weights {} contain NaN or infinite values",
                t.name
            )));
        }
    }
    // The connection table: a paper-style C3 has exactly zero weights where the table cuts.
    let c3 = net::tensors()
        .into_iter()
        .find(|t| t.name == "c3.weight")
        .map(|t| &data[t.offset..][..t.len]);
    let paper = c3.is_some_and(|w| {
        w.iter()
            .zip(Params::c3_mask(C3Mode::Paper))
            .all(|(v, m)| m == 1.0 || *v == 0.0)
    });
    Ok(Params {
        data,
        c3: if paper { C3Mode::Paper } else { C3Mode::Full },
    })
}

/// A small random warp of a 32x32 input (rotation, scale, shear, shift; bilinear), so one
/// correction also teaches its near neighbours.
pub fn warp(input: &[f32], rng: &mut ChaCha8Rng, out: &mut [f32]) {
    let angle = rng.random_range(-10f32..10.0).to_radians();
    let scale = rng.random_range(0.9f32..1.1);
    let shear = rng.random_range(-0.15f32..0.15);
    let (dx, dy) = (rng.random_range(-1.5f32..1.5), rng.random_range(-1.5f32..1.5));
    let (s, c) = angle.sin_cos();
    // Output pixel -> source pixel, about the centre.
    let (a, b, cc, d) = (c / scale, (-s + shear * c) / scale, s / scale, (c + shear * s) / scale);
    let mid = (INPUT_SIDE as f32 - 1.0) / 2.0;
    let at = |x: isize, y: isize| -> f32 {
        if x < 0 || y < 0 || x >= INPUT_SIDE as isize || y >= INPUT_SIDE as isize {
            0.0
        } else {
            input[y as usize * INPUT_SIDE + x as usize]
        }
    };
    for y in 0..INPUT_SIDE {
        for x in 0..INPUT_SIDE {
            let (u, v) = (x as f32 - mid - dx, y as f32 - mid - dy);
            let (sx, sy) = (a * u + b * v + mid, cc * u + d * v + mid);
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let value = at(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + at(x0 + 1, y0) * fx * (1.0 - fy)
                + at(x0, y0 + 1) * (1.0 - fx) * fy
                + at(x0 + 1, y0 + 1) * fx * fy;
            out[y * INPUT_SIDE + x] = value.clamp(0.0, 1.0);
        }
    }
}

fn check_corrections(corrections: &[Correction]) -> Result<(), Error> {
    if corrections.is_empty() {
        return Err(Error::Input("there are no corrections to learn from".into()));
    }
    for (i, c) in corrections.iter().enumerate() {
        if c.input.len() != INPUT_LEN {
            return Err(Error::Input(format!(
                "correction {i} holds {} values, not {INPUT_LEN} (32x32)",
                c.input.len()
            )));
        }
        if usize::from(c.label) >= CLASSES {
            return Err(Error::Input(format!(
                "correction {i} is labelled {}, not a digit",
                c.label
            )));
        }
        if let Some(v) = c.input.iter().find(|v| !v.is_finite() || !(0.0..=1.0).contains(*v)) {
            return Err(Error::Input(format!("correction {i} holds {v}, outside 0..1")));
        }
        if !c.strokes.is_empty() {
            strokes::check(&c.strokes, c.pen_width).map_err(|e| match e {
                Error::Input(why) => Error::Input(format!("correction {i}'s strokes: {why}")),
                other => other,
            })?;
        }
    }
    Ok(())
}

/// How `params` does on the corrections as drawn.
struct Score {
    /// Mean cross-entropy.
    loss: f64,
    /// Corrections read right.
    right: usize,
    /// The lowest probability given to a correction's own label.
    least: f32,
}

fn score(params: &Params, corrections: &[Correction], ws: &mut Workspace) -> Score {
    let (mut loss, mut right, mut least) = (0f64, 0usize, 1f32);
    for chunk in corrections.chunks(ws.capacity()) {
        let x: Vec<f32> = chunk.iter().flat_map(|c| c.input.iter().copied()).collect();
        let labels: Vec<u8> = chunk.iter().map(|c| c.label).collect();
        ws.forward(params, &x);
        let (l, r) = ws.loss(&labels);
        loss += l;
        right += r;
        for (b, &label) in labels.iter().enumerate() {
            least = least.min(ws.probs[b * CLASSES + usize::from(label)]);
        }
    }
    Score {
        loss: loss / corrections.len() as f64,
        right,
        least,
    }
}

/// The strokes of a correction re-drawn a little differently (rotation, scale, shear, a wobble
/// of the path, another pen width), framed as the page frames a drawing: one drawing also
/// teaches the next time the same person writes that digit, with the pen's own stroke rather
/// than a blurred warp of pixels. `None` if the strokes hold no points.
pub fn redraw(strokes: &[Stroke], pen_width: f32, rng: &mut ChaCha8Rng, out: &mut [f32]) -> Option<()> {
    let [x0, y0, x1, y1] = strokes::bounds(strokes.iter().flat_map(|s| &s.points))?;
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let size = (x1 - x0).max(y1 - y0).max(pen_width);
    let angle = rng.random_range(-10f32..10.0).to_radians();
    let (sx, sy) = (rng.random_range(0.85f32..1.15), rng.random_range(0.85f32..1.15));
    let shear = rng.random_range(-0.2f32..0.2);
    let (s, c) = angle.sin_cos();
    // A smooth wobble: a low sine across the drawing, different in x and y.
    let (wx, wy) = (
        rng.random_range(-0.02f32..0.02) * size,
        rng.random_range(-0.02f32..0.02) * size,
    );
    let (px, py) = (rng.random_range(0f32..6.3), rng.random_range(0f32..6.3));
    let pen = pen_width * rng.random_range(0.75f32..1.35);
    let moved: Vec<Stroke> = strokes
        .iter()
        .map(|st| {
            Stroke::new(
                st.points
                    .iter()
                    .map(|p| {
                        let (u, v) = ((p.x - cx) * sx, (p.y - cy) * sy);
                        let u = u + shear * v;
                        let (u, v) = (c * u - s * v, s * u + c * v);
                        let (nu, nv) = (u / size, v / size);
                        Point {
                            x: cx + u + wx * (6.0 * nv + px).sin(),
                            y: cy + v + wy * (6.0 * nu + py).sin(),
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    let framed = frame_strokes(&moved, pen)?;
    out.copy_from_slice(&framed.input);
    Some(())
}

/// Fine-tunes `base` on `corrections` (the last [`MAX_CORRECTIONS`]), replaying `replay`
/// (MNIST-style 28x28 digits; may be empty). `base` is not changed; the tuned weights are
/// returned with what happened. `progress(step, steps)` is called after every step.
pub fn fine_tune(
    base: &Params,
    corrections: &[Correction],
    replay: Samples<'_>,
    options: &Options,
    mut progress: impl FnMut(usize, usize),
) -> Result<(Params, Report), Error> {
    check_corrections(corrections)?;
    if replay.images.len() != replay.labels.len() * 784 || replay.labels.iter().any(|&l| usize::from(l) >= CLASSES) {
        return Err(Error::Input(
            "the replay digits are not 28x28 images with labels 0-9".into(),
        ));
    }
    let corrections = &corrections[corrections.len().saturating_sub(MAX_CORRECTIONS)..];
    let per_step = options.corrections_per_step.clamp(1, CHUNK);
    let replay_n = if replay.is_empty() {
        0
    } else {
        options.replay_per_step.min(CHUNK)
    };
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut ws = Workspace::new(CHUNK);
    let before = score(base, corrections, &mut ws);

    let mut params = base.clone();
    let mut adam = Adam::new(params.data.len());
    let mut grad = vec![0f32; params.data.len()];
    let mut x = vec![0f32; CHUNK * INPUT_LEN];
    let mut labels = [0u8; CHUNK];
    let distortion = Distortion::default();
    let mut order: Vec<usize> = (0..corrections.len()).collect();
    let mut cursor = order.len();
    let mut steps = 0;
    for step in 0..options.steps {
        grad.fill(0.0);
        // Corrections: walk a reshuffled order so each is seen equally often.
        let n = per_step.min(corrections.len());
        for k in 0..n {
            if cursor == order.len() {
                rand::seq::SliceRandom::shuffle(&mut order[..], &mut rng);
                cursor = 0;
            }
            let c = &corrections[order[cursor]];
            cursor += 1;
            let out = &mut x[k * INPUT_LEN..][..INPUT_LEN];
            if !options.warp {
                out.copy_from_slice(&c.input);
            } else if c.strokes.is_empty() || redraw(&c.strokes, c.pen_width, &mut rng, out).is_none() {
                warp(&c.input, &mut rng, out);
            }
            labels[k] = c.label;
        }
        ws.forward(&params, &x[..n * INPUT_LEN]);
        ws.backward(&params, &labels[..n], n, &mut grad);
        // Everyone else's digits.
        if replay_n > 0 {
            for k in 0..replay_n {
                let i = rng.random_range(0..replay.len());
                augment::distort(
                    &replay.images[i * 784..][..784],
                    &distortion,
                    &mut rng,
                    &mut x[k * INPUT_LEN..][..INPUT_LEN],
                );
                labels[k] = replay.labels[i];
            }
            ws.forward(&params, &x[..replay_n * INPUT_LEN]);
            ws.backward(&params, &labels[..replay_n], replay_n, &mut grad);
        }
        if options.anchor > 0.0 {
            for ((g, w), w0) in grad.iter_mut().zip(&params.data).zip(&base.data) {
                *g += options.anchor * (w - w0);
            }
        }
        params.mask_grad(&mut grad);
        if options.freeze_convolutions {
            for t in net::tensors()
                .iter()
                .filter(|t| t.name.starts_with("c1.") || t.name.starts_with("c3."))
            {
                grad[t.offset..][..t.len].fill(0.0);
            }
        }
        adam.step(&mut params.data, &grad, options.lr);
        steps = step + 1;
        progress(steps, options.steps);
        if steps >= options.min_steps && steps < options.steps && score(&params, corrections, &mut ws).least > 0.9 {
            break;
        }
    }
    let after = score(&params, corrections, &mut ws);
    if params.data.iter().any(|v| !v.is_finite()) {
        return Err(Error::Internal("fine-tuning diverged (non-finite weights)".into()));
    }
    Ok((
        params,
        Report {
            steps,
            loss_before: before.loss,
            loss_after: after.loss,
            right_before: before.right,
            right_after: after.right,
        },
    ))
}

/// The replay sample the page ships: `n` digits as a u16 count, `n` labels, then `n` 28x28
/// images (gzip on the wire; the browser unpacks it). Returns (images, labels).
pub fn parse_replay(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let bad = |why: &str| Error::Input(format!("the MNIST replay sample is damaged: {why}"));
    if bytes.len() < 2 {
        return Err(bad("too short"));
    }
    let n = usize::from(u16::from_le_bytes([bytes[0], bytes[1]]));
    if bytes.len() != 2 + n * 785 {
        return Err(bad(&format!("{} bytes for {n} digits", bytes.len())));
    }
    let labels = bytes[2..2 + n].to_vec();
    if labels.iter().any(|&l| usize::from(l) >= CLASSES) {
        return Err(bad("a label is not a digit"));
    }
    Ok((bytes[2 + n..].to_vec(), labels))
}

/// Packs digits in the [`parse_replay`] format.
pub fn pack_replay(images: &[u8], labels: &[u8]) -> Vec<u8> {
    let n = labels.len().min(usize::from(u16::MAX));
    let mut out = Vec::with_capacity(2 + n * 785);
    out.extend_from_slice(&(n as u16).to_le_bytes());
    out.extend_from_slice(&labels[..n]);
    out.extend_from_slice(&images[..n * 784]);
    out
}

/// The personal model's ONNX bytes: `base_metadata` minus what no longer holds (its MNIST
/// accuracy was measured for the original weights), plus how it was made.
pub fn personal_onnx(params: &Params, base_metadata: &[(String, String)], corrections: usize) -> Vec<u8> {
    let mut metadata: Vec<(String, String)> = base_metadata
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "accuracy" | "personalized_with"))
        .cloned()
        .collect();
    metadata.push(("personalized_with".into(), format!("{corrections} corrections")));
    export::to_bytes(params, &metadata)
}

/// The metadata entries of an ONNX file (empty if it cannot be read).
pub fn onnx_metadata(bytes: &[u8]) -> Vec<(String, String)> {
    read::decode(bytes).map(|m| read::metadata(&m)).unwrap_or_default()
}
