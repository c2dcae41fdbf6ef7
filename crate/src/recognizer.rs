//! The one place where the browser and the native tests meet: pixels in, a digit out.

use serde::Serialize;

use crate::error::Error;
use crate::model::{CLASSES, INPUT_LEN, Model};
use crate::preprocess::{self, Rect};

/// A loaded model plus the preprocessing that feeds it.
#[derive(Debug)]
pub struct Recognizer {
    model: Model,
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
}

impl Recognizer {
    /// Loads ONNX bytes; fails with a readable message if they do not honour the contract.
    pub fn new(model_bytes: &[u8]) -> Result<Self, Error> {
        Ok(Recognizer {
            model: Model::from_bytes(model_bytes)?,
        })
    }

    /// Recognises the whole drawing as one digit from RGBA pixels of any size.
    pub fn recognize(&mut self, rgba: &[u8], width: usize, height: usize) -> Result<Recognition, Error> {
        let Some(framed) = preprocess::preprocess(rgba, width, height)? else {
            return Ok(Recognition {
                empty: true,
                digit: None,
                confidence: 0.0,
                probabilities: [0.0; CLASSES],
                input: vec![0.0; INPUT_LEN],
                rect: None,
            });
        };
        let probabilities = self.model.predict(&framed.input)?;
        let (digit, confidence) = argmax(&probabilities);
        Ok(Recognition {
            empty: false,
            digit: Some(digit),
            confidence,
            probabilities,
            input: framed.input,
            rect: Some(framed.rect),
        })
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

/// Index and value of the largest probability (ties go to the smaller digit).
pub fn argmax(p: &[f32; CLASSES]) -> (u8, f32) {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    (best as u8, p[best])
}
