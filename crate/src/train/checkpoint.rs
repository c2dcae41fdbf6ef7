//! Training checkpoints: everything a run needs to carry on after a kill exactly as if it had
//! never stopped (same weights, bit for bit).
//!
//! Because the trainer derives all its randomness from (seed, epoch, digit) (see
//! [`super::trainer`]), the state between two epochs is small: the weights, Adam's two moment
//! vectors and step count, the schedule's step, the epoch, plus the run's settings (to refuse
//! resuming with different ones) and the per-epoch history the reports are drawn from.
//!
//! Format (version 2), all numbers little-endian:
//!
//! ```text
//! "LENET5CK"  8 bytes   magic
//! version     u32       2
//! length      u64       bytes of the body that follows
//! body:
//!   epochs u64, batch_size u64, lr f32, seed u64, c3 u8 (0 full, 1 paper),
//!   distortion u8 (0 none, 1 = ten f32 follow: rotate_deg, shear, scale.0, scale.1, aspect,
//!     shift_px, elastic_px, bolder, thinner, clean),
//!   train_len u64, data_fingerprint u64,
//!   epochs_done u64, step u64, adam_t u32, wall_seconds f64,
//!   history: count u64, then per epoch: epoch u64, train_loss f64, train_accuracy f64,
//!     test_accuracy f64, seconds f64, drawn_accuracy f64, nondigit_auroc f64 (NaN: not measured),
//!   parameter count u64, then weights, Adam m, Adam v: that many f32 each
//! checksum    u64       fingerprint of every byte before it
//! ```
//!
//! Plain bytes in, plain bytes out (no files), so it builds for wasm32 too; the command line
//! writes them atomically.

use super::augment::Distortion;
use super::net::{self, C3Mode, Params};
use super::trainer::{Adam, Config, EpochStats, Trainer};

/// First bytes of every checkpoint.
pub const MAGIC: [u8; 8] = *b"LENET5CK";
/// The format version this build writes and reads.
pub const VERSION: u32 = 2;
const HEADER: usize = 8 + 4 + 8;

/// Why a checkpoint cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a LeNet-5 training checkpoint (it does not start with \"LENET5CK\")")]
    NotACheckpoint,
    #[error("checkpoint format version {0} is not supported (this build reads version {VERSION})")]
    Version(u32),
    #[error("the checkpoint is truncated ({found} of {expected} bytes); it was probably cut short")]
    Truncated { found: usize, expected: usize },
    #[error("the checkpoint is truncated (only {0} bytes); it was probably cut short")]
    TooShort(usize),
    #[error("the checkpoint has {0} unexpected bytes at its end")]
    TrailingBytes(usize),
    #[error("the checkpoint is corrupt (checksum mismatch)")]
    Checksum,
    #[error("the checkpoint is corrupt: {0}")]
    Invalid(String),
}

/// What the command line keeps beside the trainer's own state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunLog {
    /// [`fingerprint`] of the training and test digits the run uses.
    pub data_fingerprint: u64,
    /// One entry per completed epoch.
    pub history: Vec<EpochStats>,
    /// Wall-clock seconds spent so far (summed over resumed runs).
    pub wall_seconds: f64,
}

/// A decoded checkpoint: the run's settings and log, and the trainer state to continue from.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub config: Config,
    /// Training digits per epoch.
    pub train_len: usize,
    pub log: RunLog,
    pub epochs_done: usize,
    step: usize,
    params: Vec<f32>,
    adam: Adam,
}

/// A setting that differs between a checkpoint and the run that wants to resume it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// `epochs`, `batch_size`, `lr`, `seed`, `c3`, `distortion`, `training examples` or `data`.
    pub setting: &'static str,
    pub checkpoint: String,
    pub now: String,
}

/// A fast 64-bit fingerprint (FNV-1a over 8-byte words) of some byte strings: tells whether a
/// resumed run sees the same data, and guards checkpoints against corruption. Not cryptographic.
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01B3;
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    let mut mix = |w: u64| h = (h ^ w).wrapping_mul(PRIME);
    for part in parts {
        mix(part.len() as u64);
        let mut words = part.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            mix(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        mix(u64::from_le_bytes(b));
    }
    h
}

fn distortion_fields(d: &Distortion) -> [f32; 10] {
    [
        d.rotate_deg,
        d.shear,
        d.scale.0,
        d.scale.1,
        d.aspect,
        d.shift_px,
        d.elastic_px,
        d.bolder,
        d.thinner,
        d.clean,
    ]
}

fn distortion_from(f: [f32; 10]) -> Distortion {
    Distortion {
        rotate_deg: f[0],
        shear: f[1],
        scale: (f[2], f[3]),
        aspect: f[4],
        shift_px: f[5],
        elastic_px: f[6],
        bolder: f[7],
        thinner: f[8],
        clean: f[9],
    }
}

/// The checkpoint of `trainer` between two epochs, with the command line's `log`.
pub fn encode(trainer: &Trainer, log: &RunLog) -> Vec<u8> {
    let n = trainer.params.data.len();
    let mut b = Vec::with_capacity(HEADER + 200 + 64 * log.history.len() + 12 * n + 8);
    b.extend_from_slice(&MAGIC);
    b.extend_from_slice(&VERSION.to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes()); // body length, filled in below
    let u64 = |b: &mut Vec<u8>, v: u64| b.extend_from_slice(&v.to_le_bytes());
    let f32s = |b: &mut Vec<u8>, v: &[f32]| v.iter().for_each(|x| b.extend_from_slice(&x.to_le_bytes()));
    let c = &trainer.config;
    u64(&mut b, c.epochs as u64);
    u64(&mut b, c.batch_size as u64);
    f32s(&mut b, &[c.lr]);
    u64(&mut b, c.seed);
    b.push(match c.c3 {
        C3Mode::Full => 0,
        C3Mode::Paper => 1,
    });
    match &c.distortion {
        None => b.push(0),
        Some(d) => {
            b.push(1);
            f32s(&mut b, &distortion_fields(d));
        }
    }
    u64(&mut b, trainer.train_len as u64);
    u64(&mut b, log.data_fingerprint);
    u64(&mut b, trainer.epoch as u64);
    u64(&mut b, trainer.step as u64);
    b.extend_from_slice(&(trainer.adam.t as u32).to_le_bytes());
    b.extend_from_slice(&log.wall_seconds.to_le_bytes());
    u64(&mut b, log.history.len() as u64);
    for h in &log.history {
        u64(&mut b, h.epoch as u64);
        let drawn = [h.drawn_accuracy, h.nondigit_auroc].map(|v| v.unwrap_or(f64::NAN));
        for x in [
            h.train_loss,
            h.train_accuracy,
            h.test_accuracy,
            h.seconds,
            drawn[0],
            drawn[1],
        ] {
            b.extend_from_slice(&x.to_le_bytes());
        }
    }
    u64(&mut b, n as u64);
    f32s(&mut b, &trainer.params.data);
    f32s(&mut b, &trainer.adam.m);
    f32s(&mut b, &trainer.adam.v);
    let body = (b.len() - HEADER) as u64;
    b[12..HEADER].copy_from_slice(&body.to_le_bytes());
    let sum = fingerprint(&[&b]);
    u64(&mut b, sum);
    b
}

/// Reads the body of a checkpoint; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self, what: &str) -> Result<[u8; N], CheckpointError> {
        let end = self.at + N;
        let s = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| CheckpointError::Invalid(format!("it ends inside {what}")))?;
        self.at = end;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }
    fn u8(&mut self, what: &str) -> Result<u8, CheckpointError> {
        Ok(self.take::<1>(what)?[0])
    }
    fn u32(&mut self, what: &str) -> Result<u32, CheckpointError> {
        Ok(u32::from_le_bytes(self.take(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, CheckpointError> {
        Ok(u64::from_le_bytes(self.take(what)?))
    }
    fn usize(&mut self, what: &str) -> Result<usize, CheckpointError> {
        let v = self.u64(what)?;
        usize::try_from(v).map_err(|_| CheckpointError::Invalid(format!("{what} {v} is out of range")))
    }
    fn f32(&mut self, what: &str) -> Result<f32, CheckpointError> {
        Ok(f32::from_le_bytes(self.take(what)?))
    }
    fn f64(&mut self, what: &str) -> Result<f64, CheckpointError> {
        Ok(f64::from_le_bytes(self.take(what)?))
    }
    fn f32s(&mut self, n: usize, what: &str) -> Result<Vec<f32>, CheckpointError> {
        let len = n
            .checked_mul(4)
            .filter(|&l| l <= self.bytes.len() - self.at)
            .ok_or_else(|| CheckpointError::Invalid(format!("it ends inside {what}")))?;
        let out = self.bytes[self.at..self.at + len]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        self.at += len;
        Ok(out)
    }
}

/// Decodes and validates a checkpoint written by [`encode`]. Never panics: a truncated,
/// corrupt or foreign file gives an error that says so.
pub fn decode(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(if MAGIC.starts_with(bytes) {
            CheckpointError::TooShort(bytes.len())
        } else {
            CheckpointError::NotACheckpoint
        });
    }
    if bytes.len() < HEADER {
        return Err(CheckpointError::TooShort(bytes.len()));
    }
    let mut r = Reader { bytes, at: 8 };
    let version = r.u32("the version")?;
    if version != VERSION {
        return Err(CheckpointError::Version(version));
    }
    let body = r.u64("the length")?;
    let expected = usize::try_from(body)
        .ok()
        .and_then(|b| b.checked_add(HEADER + 8))
        .ok_or_else(|| CheckpointError::Invalid(format!("impossible body length {body}")))?;
    if bytes.len() < expected {
        return Err(CheckpointError::Truncated {
            found: bytes.len(),
            expected,
        });
    }
    if bytes.len() > expected {
        return Err(CheckpointError::TrailingBytes(bytes.len() - expected));
    }
    let (content, sum) = bytes.split_at(expected - 8);
    let mut s = [0u8; 8];
    s.copy_from_slice(sum);
    if fingerprint(&[content]) != u64::from_le_bytes(s) {
        return Err(CheckpointError::Checksum);
    }
    let mut r = Reader {
        bytes: content,
        at: HEADER,
    };
    let invalid = |m: String| Err(CheckpointError::Invalid(m));

    let epochs = r.usize("the epochs")?;
    let batch_size = r.usize("the batch size")?;
    let lr = r.f32("the learning rate")?;
    let seed = r.u64("the seed")?;
    let c3 = match r.u8("the C3 mode")? {
        0 => C3Mode::Full,
        1 => C3Mode::Paper,
        k => return invalid(format!("unknown C3 mode {k}")),
    };
    let distortion = match r.u8("the distortion flag")? {
        0 => None,
        1 => {
            let mut f = [0f32; 10];
            for x in &mut f {
                *x = r.f32("the distortion")?;
            }
            Some(distortion_from(f))
        }
        k => return invalid(format!("unknown distortion flag {k}")),
    };
    let train_len = r.usize("the training-set size")?;
    let data_fingerprint = r.u64("the data fingerprint")?;
    let epochs_done = r.usize("the epoch")?;
    let step = r.usize("the step")?;
    let t = r.u32("Adam's step")?;
    let wall_seconds = r.f64("the wall time")?;
    if epochs == 0 || batch_size == 0 || train_len == 0 {
        return invalid(format!(
            "{epochs} epochs, batch size {batch_size}, {train_len} training digits"
        ));
    }
    if !(lr.is_finite() && lr > 0.0) {
        return invalid(format!("learning rate {lr}"));
    }
    if epochs_done > epochs {
        return invalid(format!("{epochs_done} of {epochs} epochs done"));
    }
    let per_epoch = train_len.div_ceil(batch_size);
    if epochs
        .checked_mul(per_epoch)
        .is_none_or(|total| total > i32::MAX as usize)
    {
        return invalid(format!("{epochs} epochs of {per_epoch} steps"));
    }
    if Some(step) != epochs_done.checked_mul(per_epoch) || t as usize != step || i32::try_from(t).is_err() {
        return invalid(format!(
            "step {step} and Adam step {t} after {epochs_done} epochs of {per_epoch} steps"
        ));
    }
    let entries = r.usize("the history length")?;
    if entries != epochs_done {
        return invalid(format!("{entries} history entries for {epochs_done} epochs"));
    }
    let mut history = Vec::with_capacity(entries.min((content.len() - r.at) / 56));
    for _ in 0..entries {
        history.push(EpochStats {
            epoch: r.usize("the history")?,
            train_loss: r.f64("the history")?,
            train_accuracy: r.f64("the history")?,
            test_accuracy: r.f64("the history")?,
            seconds: r.f64("the history")?,
            drawn_accuracy: Some(r.f64("the history")?).filter(|v| !v.is_nan()),
            nondigit_auroc: Some(r.f64("the history")?).filter(|v| !v.is_nan()),
        });
    }
    let n = r.usize("the parameter count")?;
    if n != net::param_count() {
        return invalid(format!("{n} parameters, but this network has {}", net::param_count()));
    }
    let params = r.f32s(n, "the weights")?;
    let m = r.f32s(n, "Adam's first moments")?;
    let v = r.f32s(n, "Adam's second moments")?;
    if r.at != content.len() {
        return invalid(format!("{} unread bytes", content.len() - r.at));
    }
    if params.iter().chain(&m).chain(&v).any(|x| !x.is_finite()) {
        return invalid("non-finite weights or moments".into());
    }
    Ok(Checkpoint {
        config: Config {
            epochs,
            batch_size,
            lr,
            seed,
            c3,
            distortion,
        },
        train_len,
        log: RunLog {
            data_fingerprint,
            history,
            wall_seconds,
        },
        epochs_done,
        step,
        params,
        adam: Adam { m, v, t: t as i32 },
    })
}

impl Checkpoint {
    /// The settings that differ from a run with `config` on `train_len` digits whose data has
    /// the fingerprint `data_fingerprint`; resuming is only exact when there are none.
    pub fn mismatches(&self, config: &Config, train_len: usize, data_fingerprint: u64) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut check = |setting, a: String, b: String| {
            if a != b {
                out.push(Mismatch {
                    setting,
                    checkpoint: a,
                    now: b,
                });
            }
        };
        let c = &self.config;
        check("epochs", c.epochs.to_string(), config.epochs.to_string());
        check("batch_size", c.batch_size.to_string(), config.batch_size.to_string());
        // Exact bits, shown readably.
        let lr = |x: f32| format!("{x} ({:#010x})", x.to_bits());
        check("lr", lr(c.lr), lr(config.lr));
        check("seed", c.seed.to_string(), config.seed.to_string());
        check("c3", c.c3.name().into(), config.c3.name().into());
        let dist = |d: &Option<Distortion>| match d {
            None => "off".to_string(),
            Some(d) => format!("on {:x?}", distortion_fields(d).map(f32::to_bits)),
        };
        check("distortion", dist(&c.distortion), dist(&config.distortion));
        check("training examples", self.train_len.to_string(), train_len.to_string());
        check(
            "data",
            format!("{:016x}", self.log.data_fingerprint),
            format!("{data_fingerprint:016x}"),
        );
        out
    }

    /// A trainer that continues where the checkpointed one stopped, and the run's log.
    pub fn into_trainer(self) -> (Trainer, RunLog) {
        let params = Params {
            data: self.params,
            c3: self.config.c3,
        };
        let mut trainer = Trainer::from_params(params, self.config, self.train_len);
        trainer.adam = self.adam;
        trainer.step = self.step;
        trainer.epoch = self.epochs_done;
        (trainer, self.log)
    }
}
