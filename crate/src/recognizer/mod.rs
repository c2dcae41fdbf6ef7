//! The one place where the browser and the native tests meet: pixels in, a digit out.
//! [`Recognizer`] = [`crate::ink`] (pixels → network inputs, numbers → digits) + [`crate::infer`]
//! (the model), with the reject rule that says "not sure". Uses those two, [`crate::onnx`]'s
//! contract and [`crate::error`]; only the bindings ([`crate::web`]) use it.

use serde::Serialize;

use crate::error::Error;
use crate::infer::{FeatureMap, Model};
use crate::ink::preprocess::{self, Components, Framed, Ink, Rect};
use crate::ink::raster;
use crate::ink::segment::{self, DigitReading, GroupMemo};
use crate::ink::strokes::{self, Point, Stroke};
use crate::onnx::contract::{CLASSES, INPUT_LEN};

/// When a reading is too doubtful to state: a scribble, a letter or two digits on top of each
/// other. A reading is *sure* when the top probability reaches `min_confidence` and beats the
/// runner-up by `min_margin`. The network was trained to answer non-digits with a flat
/// distribution (outlier exposure), so a low top probability is what "not a digit" looks like.
///
/// Calibrated by `cargo run --example evaluate -- --calibrate` on held-out generated drawings
/// (digits and non-digits from a random stream training never draws from) and the 10,000 MNIST
/// test digits; the fixtures the tests use were not looked at to choose it. Figures: the model
/// card, `model/README.md`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RejectRule {
    pub min_confidence: f32,
    pub min_margin: f32,
}

impl RejectRule {
    /// The page's rule.
    pub const DEFAULT: RejectRule = RejectRule {
        min_confidence: 0.7,
        min_margin: 0.0,
    };

    /// Whether probabilities `p` give a reading worth stating.
    pub fn is_sure(&self, p: &[f32; CLASSES]) -> bool {
        let (best, second) = top_two(p);
        p[best] >= self.min_confidence && p[best] - p[second] >= self.min_margin
    }
}

/// A loaded model plus the preprocessing that feeds it.
#[derive(Debug)]
pub struct Recognizer {
    model: Model,
    reject: RejectRule,
    memo: Memo,
    groups: GroupMemo,
    maps: MapsKept,
}

/// The network's last readings by input: while the pen moves, a number's finished digits (and
/// the cuts tried on them) give the same inputs frame after frame, so only the digit being
/// written is read again. Exact: an input is looked up by its bits, compared whole.
#[derive(Debug, Default)]
struct Memo {
    entries: Vec<(u64, Vec<f32>, [f32; CLASSES])>,
    next: usize,
}

impl Memo {
    /// Readings kept: a long number's digits and the cuts tried on the wide ones.
    const SIZE: usize = 96;

    fn key(input: &[f32]) -> u64 {
        input.iter().fold(0xcbf2_9ce4_8422_2325, |h, v| {
            (h ^ u64::from(v.to_bits())).wrapping_mul(0x100_0000_01b3)
        })
    }

    /// `model`'s reading of `input`, from the memo when it was read before.
    fn predict(&mut self, model: &mut Model, input: &[f32]) -> Result<[f32; CLASSES], Error> {
        match self.get(input) {
            Some(p) => Ok(p),
            None => {
                let p = model.predict(input)?;
                self.put(input, p);
                Ok(p)
            }
        }
    }

    /// As [`Memo::predict`], and the feature maps of each input the network runs on, kept in
    /// `maps`: the page shows the maps of a digit it has just read.
    fn predict_keeping_maps(
        &mut self,
        model: &mut Model,
        input: &[f32],
        maps: &mut MapsKept,
    ) -> Result<[f32; CLASSES], Error> {
        if let Some(p) = self.get(input) {
            return Ok(p);
        }
        let (p, m) = model.predict_with_maps(input)?;
        self.put(input, p);
        maps.put(input, m);
        Ok(p)
    }

    fn get(&self, input: &[f32]) -> Option<[f32; CLASSES]> {
        let key = Self::key(input);
        self.entries
            .iter()
            .find(|(k, x, _)| *k == key && same(x, input))
            .map(|(_, _, p)| *p)
    }

    fn put(&mut self, input: &[f32], p: [f32; CLASSES]) {
        let entry = (Self::key(input), input.to_vec(), p);
        if self.entries.len() < Self::SIZE {
            self.entries.push(entry);
        } else {
            self.entries[self.next] = entry;
            self.next = (self.next + 1) % Self::SIZE;
        }
    }
}

/// The feature maps of the last few inputs the network ran on: the digit in focus is one of
/// the last read (cuts tried after it are at most a few), or, when the drawing has not changed
/// since the last frame, the one shown then.
#[derive(Debug, Default)]
struct MapsKept(Vec<(Vec<f32>, [FeatureMap; 2])>);

impl MapsKept {
    const SIZE: usize = 4;

    fn get(&self, input: &[f32]) -> Option<[FeatureMap; 2]> {
        self.0
            .iter()
            .rev()
            .find(|(x, _)| same(x, input))
            .map(|(_, m)| m.clone())
    }

    fn put(&mut self, input: &[f32], maps: [FeatureMap; 2]) {
        if self.0.len() == Self::SIZE {
            self.0.remove(0);
        }
        self.0.push((input.to_vec(), maps));
    }
}

/// Two inputs the same bit for bit.
fn same(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// What the recognizer read from a drawing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recognition {
    /// No ink (or only specks): no digit is reported.
    pub empty: bool,
    /// The most likely digit, `None` when empty.
    pub digit: Option<u8>,
    /// Probability of `digit` (0 when empty).
    pub confidence: f32,
    /// Softmax over 0-9 (all zero when empty).
    pub probabilities: [f32; CLASSES],
    /// The 32x32 input the network saw (all zero when empty).
    pub input: Vec<f32>,
    /// Where the ink is on the canvas (`None` when empty).
    pub rect: Option<Rect>,
    /// The reading passes the [`RejectRule`] (false when empty).
    pub sure: bool,
    /// The second most likely digit (`None` when empty).
    pub runner_up: Option<u8>,
    /// Its probability (0 when empty).
    pub runner_up_confidence: f32,
}

/// One digit of a written number.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberDigit {
    pub digit: u8,
    pub confidence: f32,
    pub sure: bool,
    pub runner_up: u8,
    pub runner_up_confidence: f32,
    /// The digit's ink box, in canvas pixels.
    #[serde(flatten)]
    pub rect: Rect,
}

/// What the page shows for a drawing of pen strokes, from one reading: the number, and the one
/// digit the readings panel and the feature maps show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrokeReading {
    pub number: NumberReading,
    /// With one digit drawn, the whole drawing as one digit (exactly what
    /// [`Recognizer::recognize_strokes`] reads); with several, the digit being written: the one
    /// where the pen was last. Empty on an empty pad.
    pub focus: Recognition,
    /// `focus`'s C1 and C3 activations, when asked for, the model has them and there is ink.
    #[serde(skip)]
    pub maps: Option<[FeatureMap; 2]>,
}

/// A written number: its digits left to right and their text (`""` on an empty pad).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumberReading {
    pub text: String,
    pub digits: Vec<NumberDigit>,
}

impl Recognizer {
    /// Loads ONNX bytes; fails with a readable message if they do not honour the contract.
    pub fn new(model_bytes: &[u8]) -> Result<Self, Error> {
        Ok(Recognizer {
            model: Model::from_bytes(model_bytes)?,
            reject: RejectRule::DEFAULT,
            memo: Memo::default(),
            groups: GroupMemo::default(),
            maps: MapsKept::default(),
        })
    }

    /// Recognises the whole drawing as one digit from RGBA pixels of any size.
    pub fn recognize(&mut self, rgba: &[u8], width: usize, height: usize) -> Result<Recognition, Error> {
        let framed = preprocess::preprocess(rgba, width, height)?;
        self.read(framed)
    }

    /// Recognises pen strokes (in the units of the surface drawn on, with a pen `pen_width`
    /// wide) as one digit: drawn straight into the network's frame ([`raster::frame_strokes`]),
    /// at a cost that follows the points, not the canvas.
    pub fn recognize_strokes(&mut self, strokes: &[Stroke], pen_width: f32) -> Result<Recognition, Error> {
        strokes::check(strokes, pen_width)?;
        self.read(raster::frame_strokes(strokes, pen_width))
    }

    /// One framed drawing through the network (`None`: nothing drawn).
    fn read(&mut self, framed: Option<Framed>) -> Result<Recognition, Error> {
        match framed {
            Some(framed) => {
                let probabilities = self.memo.predict(&mut self.model, &framed.input)?;
                Ok(self.recognition(Some((framed, probabilities))))
            }
            None => Ok(self.recognition(None)),
        }
    }

    /// A framed drawing and the network's reading of it as a [`Recognition`] (`None`: nothing
    /// drawn).
    fn recognition(&self, read: Option<(Framed, [f32; CLASSES])>) -> Recognition {
        let Some((framed, probabilities)) = read else {
            return Recognition {
                empty: true,
                digit: None,
                confidence: 0.0,
                probabilities: [0.0; CLASSES],
                input: vec![0.0; INPUT_LEN],
                rect: None,
                sure: false,
                runner_up: None,
                runner_up_confidence: 0.0,
            };
        };
        let (best, second) = top_two(&probabilities);
        Recognition {
            empty: false,
            digit: Some(best as u8),
            confidence: probabilities[best],
            probabilities,
            input: framed.input,
            rect: Some(framed.rect),
            sure: self.reject.is_sure(&probabilities),
            runner_up: Some(second as u8),
            runner_up_confidence: probabilities[second],
        }
    }

    /// Reads the drawing as a number: its strokes grouped into digits, touching digits cut apart
    /// ([`segment`]), each digit framed and read like a single one, left to right.
    pub fn recognize_number(&mut self, rgba: &[u8], width: usize, height: usize) -> Result<NumberReading, Error> {
        let ink = Ink::from_rgba(rgba, width, height)?;
        let comps = Components::find(&ink);
        let (model, memo) = (&mut self.model, &mut self.memo);
        let read = segment::read_number(&ink, comps, |input| memo.predict(model, input))?;
        Ok(self.number(read))
    }

    /// Reads pen strokes as a number: strokes grouped into digits by their overlap along the
    /// writing's slant (strokes drawn separately stay apart even where their ink touches), a
    /// stroke running through two digits cut where both halves read best
    /// ([`segment::read_number_strokes`]).
    pub fn recognize_number_strokes(&mut self, strokes: &[Stroke], pen_width: f32) -> Result<NumberReading, Error> {
        strokes::check(strokes, pen_width)?;
        let (model, memo) = (&mut self.model, &mut self.memo);
        let read =
            segment::read_number_strokes(strokes, pen_width, &mut self.groups, |input| memo.predict(model, input))?;
        Ok(self.number(read))
    }

    /// Everything the page shows for pen strokes, in one reading: the number
    /// ([`Recognizer::recognize_number_strokes`]), the digit in focus and, with `maps`, its
    /// feature maps. The focus is the whole drawing when it is one digit, or when the number
    /// reader found two and the network reads the whole surely as one (a 1 with a separate
    /// foot, a 7 crossed far off its stem: what "learn your handwriting" teaches shows here);
    /// otherwise the digit nearest the pen's last point. A frame costs one framing and one
    /// network run for the digit being written (the others are remembered), two while a
    /// second digit is written, whatever the length of the number.
    pub fn read_strokes(&mut self, strokes: &[Stroke], pen_width: f32, maps: bool) -> Result<StrokeReading, Error> {
        strokes::check(strokes, pen_width)?;
        let maps = maps && self.model.has_feature_maps();
        let (model, memo, kept) = (&mut self.model, &mut self.memo, &mut self.maps);
        let mut predict = |input: &[f32]| {
            if maps {
                memo.predict_keeping_maps(model, input, kept)
            } else {
                memo.predict(model, input)
            }
        };
        let read = segment::read_number_strokes(strokes, pen_width, &mut self.groups, &mut predict)?;
        let whole = match read.len() {
            2 => match raster::frame_strokes(strokes, pen_width) {
                Some(framed) => {
                    let p = predict(&framed.input)?;
                    self.reject.is_sure(&p).then_some((framed, p))
                }
                None => None,
            },
            _ => None,
        };
        let focus = match (whole, read.len()) {
            (Some(whole), _) => Some(whole),
            (None, 0) => None,
            // One digit: a single group of all the strokes, uncut, framed as the whole drawing.
            (None, 1) => read.first().map(|d| (d.framed.clone(), d.probabilities)),
            (None, _) => strokes
                .iter()
                .rev()
                .find_map(|s| s.points.last())
                .and_then(|&p| {
                    read.iter()
                        .min_by(|a, b| distance(&a.framed.rect, p).total_cmp(&distance(&b.framed.rect, p)))
                })
                .map(|d| (d.framed.clone(), d.probabilities)),
        };
        let focus = self.recognition(focus);
        let maps = if maps && !focus.empty {
            // Read this frame or shown the last: its maps are kept. Else (remembered from an
            // earlier frame, as after an undo) one more run.
            match self.maps.get(&focus.input) {
                Some(m) => Some(m),
                None => {
                    let m = self.model.feature_maps(&focus.input)?;
                    self.maps.put(&focus.input, m.clone());
                    Some(m)
                }
            }
        } else {
            None
        };
        Ok(StrokeReading {
            number: self.number(read),
            focus,
            maps,
        })
    }

    fn number(&self, read: Vec<DigitReading>) -> NumberReading {
        let digits: Vec<NumberDigit> = read
            .into_iter()
            .map(|d| {
                let p = &d.probabilities;
                let (best, second) = top_two(p);
                NumberDigit {
                    digit: best as u8,
                    confidence: p[best],
                    sure: self.reject.is_sure(p),
                    runner_up: second as u8,
                    runner_up_confidence: p[second],
                    rect: d.framed.rect,
                }
            })
            .collect();
        let text = digits.iter().map(|d| char::from(b'0' + d.digit)).collect();
        NumberReading { text, digits }
    }

    /// The C1 and C3 activations for a ready 32x32 input (see [`Model::feature_maps`]).
    pub fn feature_maps(&mut self, input: &[f32]) -> Result<[FeatureMap; 2], Error> {
        self.model.feature_maps(input)
    }

    /// Whether [`Recognizer::feature_maps`] can work with this model.
    pub fn has_feature_maps(&self) -> bool {
        self.model.has_feature_maps()
    }

    /// Replaces the reject rule (for calibration).
    pub fn set_reject_rule(&mut self, rule: RejectRule) {
        self.reject = rule;
    }

    /// The raw network on a ready 32x32 input (0 = background, 1 = ink).
    pub fn predict(&mut self, input: &[f32]) -> Result<[f32; CLASSES], Error> {
        self.model.predict(input)
    }

    /// The model's ONNX metadata props.
    pub fn metadata(&self) -> &[(String, String)] {
        self.model.metadata()
    }
}

/// How far `p` is from `rect` (0 inside it).
fn distance(rect: &Rect, p: Point) -> f32 {
    let dx = (rect.x as f32 - p.x).max(p.x - (rect.x + rect.width) as f32).max(0.0);
    let dy = (rect.y as f32 - p.y).max(p.y - (rect.y + rect.height) as f32).max(0.0);
    dx.hypot(dy)
}

/// Index and value of the largest probability (ties go to the smaller digit).
pub fn argmax(p: &[f32; CLASSES]) -> (u8, f32) {
    let (best, _) = top_two(p);
    (best as u8, p[best])
}

/// Indices of the largest and second-largest probabilities (ties go to the smaller digit).
pub fn top_two(p: &[f32; CLASSES]) -> (usize, usize) {
    let (mut best, mut second) = (0, 1);
    if p[1] > p[0] {
        (best, second) = (1, 0);
    }
    for (i, &v) in p.iter().enumerate().skip(2) {
        if v > p[best] {
            second = best;
            best = i;
        } else if v > p[second] {
            second = i;
        }
    }
    (best, second)
}
