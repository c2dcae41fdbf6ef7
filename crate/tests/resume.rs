//! Kill-safe training and `--resume`: a run continued from a checkpoint ends bit-identical to
//! an uninterrupted one, a kill at any moment leaves the previous outputs whole, and a corrupt
//! or mismatched checkpoint is refused with a clear message (never a panic).

mod common;

use lenet5::train::checkpoint::{self, CheckpointError, RunLog};
use lenet5::train::mnist;
use lenet5::train::net::C3Mode;
use lenet5::train::trainer::{Config, EpochStats, Samples, Trainer};

fn config(epochs: usize) -> Config {
    Config {
        epochs,
        batch_size: 32,
        lr: 2e-3,
        seed: 11,
        c3: C3Mode::Full,
        distortion: Some(Default::default()),
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn resumed_trainer_matches_an_uninterrupted_one_bit_for_bit() {
    let started = std::time::Instant::now();
    let data = mnist::load_dir(&common::mini_mnist()).expect("fixture");
    // Half the fixture keeps it quick; distortions on, so the random streams are exercised.
    let train = Samples {
        images: &data.train.images[..512 * 784],
        labels: &data.train.labels[..512],
    };
    const EPOCHS: usize = 3;
    let cfg = config(EPOCHS);
    let mut full = Trainer::new(cfg.clone(), train.len());
    let full_stats: Vec<(f64, f64)> = (0..EPOCHS).map(|_| full.epoch(&train, |_, _, _| {})).collect();
    let reference = checkpoint::encode(&full, &RunLog::default());

    for k in [1, 2] {
        let mut first = Trainer::new(cfg.clone(), train.len());
        for _ in 0..k {
            first.epoch(&train, |_, _, _| {});
        }
        let log = RunLog {
            data_fingerprint: 42,
            history: (1..=k)
                .map(|epoch| EpochStats {
                    epoch,
                    train_loss: full_stats[epoch - 1].0,
                    train_accuracy: full_stats[epoch - 1].1,
                    test_accuracy: 0.5,
                    seconds: 0.25,
                    // One measured, one not: both must come back as they went in.
                    drawn_accuracy: Some(0.9 + epoch as f64 / 100.0),
                    nondigit_auroc: None,
                })
                .collect(),
            wall_seconds: 1.5,
        };
        let bytes = checkpoint::encode(&first, &log);
        drop(first);

        let saved = checkpoint::decode(&bytes).expect("a fresh checkpoint decodes");
        assert_eq!(saved.epochs_done, k);
        assert_eq!(saved.log, log);
        assert!(saved.mismatches(&cfg, train.len(), 42).is_empty());
        let (mut resumed, _) = saved.into_trainer();
        assert_eq!(resumed.epochs_done(), k);
        assert_eq!(checkpoint::encode(&resumed, &log), bytes, "decode/encode round trip");
        for stats in &full_stats[k..] {
            assert_eq!(
                resumed.epoch(&train, |_, _, _| {}),
                *stats,
                "epoch statistics after resuming at {k}"
            );
        }
        assert_eq!(
            bits(&resumed.params.data),
            bits(&full.params.data),
            "weights, resumed after {k}"
        );
        // Same weights, Adam moments and step counts: the whole state is identical.
        assert_eq!(
            checkpoint::encode(&resumed, &RunLog::default()),
            reference,
            "state, resumed after {k}"
        );
    }
    eprintln!("library resume test: {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn checkpoint_refuses_other_settings() {
    let data = mnist::load_dir(&common::mini_mnist()).expect("fixture");
    let n = data.train.len();
    let cfg = config(2);
    let saved = checkpoint::decode(&checkpoint::encode(&Trainer::new(cfg.clone(), n), &RunLog::default())).unwrap();
    assert!(saved.mismatches(&cfg, n, 0).is_empty());
    let other = Config {
        seed: 12,
        lr: 1e-3,
        distortion: None,
        ..cfg.clone()
    };
    let m = saved.mismatches(&other, n - 1, 7);
    let settings: Vec<&str> = m.iter().map(|m| m.setting).collect();
    assert_eq!(settings, ["lr", "seed", "distortion", "training examples", "data"]);
    assert_eq!((m[1].checkpoint.as_str(), m[1].now.as_str()), ("11", "12"));
}

/// A tiny deterministic generator for the mutation test.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Replaces the trailing checksum so that a deliberately edited body gets past it.
fn reseal(bytes: &mut [u8]) {
    let n = bytes.len() - 8;
    let sum = checkpoint::fingerprint(&[&bytes[..n]]);
    bytes[n..].copy_from_slice(&sum.to_le_bytes());
}

#[test]
fn corrupt_checkpoints_give_clear_errors_not_panics() {
    let data = mnist::load_dir(&common::mini_mnist()).expect("fixture");
    let train = data.train.samples();
    let cfg = config(2);
    let mut trainer = Trainer::new(cfg.clone(), train.len());
    trainer.epoch(&train, |_, _, _| {});
    let started = std::time::Instant::now();
    let log = RunLog {
        data_fingerprint: 1,
        history: vec![EpochStats {
            epoch: 1,
            train_loss: 1.0,
            train_accuracy: 0.5,
            test_accuracy: 0.6,
            seconds: 0.1,
            drawn_accuracy: Some(0.7),
            nondigit_auroc: Some(0.8),
        }],
        wall_seconds: 0.2,
    };
    let good = checkpoint::encode(&trainer, &log);
    assert!(checkpoint::decode(&good).is_ok());

    // Cut short anywhere (a kill mid-write would do this, if the write were not atomic).
    let lengths = (0..64)
        .chain((64..good.len()).step_by(1009))
        .chain(good.len() - 16..good.len());
    for len in lengths {
        let err = checkpoint::decode(&good[..len]).expect_err("truncated");
        assert!(
            matches!(err, CheckpointError::Truncated { .. } | CheckpointError::TooShort(_)),
            "{len} bytes: {err:?}"
        );
        assert!(err.to_string().contains("truncated"), "{err}");
    }
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(
        checkpoint::decode(&longer).unwrap_err(),
        CheckpointError::TrailingBytes(1)
    );

    // Not a checkpoint at all.
    for other in [
        &b"hello, world, this is not it"[..],
        b"\x08\x07\x12\x0cmodel-ish bytes..........",
        b"LENET5CX",
    ] {
        let err = checkpoint::decode(other).unwrap_err();
        assert_eq!(err, CheckpointError::NotACheckpoint);
        assert!(err.to_string().contains("not a LeNet-5 training checkpoint"), "{err}");
    }
    let mut future = good.clone();
    future[8..12].copy_from_slice(&3u32.to_le_bytes());
    let err = checkpoint::decode(&future).unwrap_err();
    assert_eq!(err, CheckpointError::Version(3));
    assert!(err.to_string().contains("version 3 is not supported"), "{err}");

    // A flipped bit anywhere after the header is caught by the checksum.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..200 {
        let mut bad = good.clone();
        let at = 20 + (xorshift(&mut state) as usize) % (good.len() - 20);
        bad[at] ^= 1 << (xorshift(&mut state) % 8);
        let err = checkpoint::decode(&bad).unwrap_err();
        assert_eq!(err, CheckpointError::Checksum, "bit flipped at {at}");
        assert!(err.to_string().contains("corrupt"), "{err}");
    }

    // Edited bodies with a valid checksum: validated field by field, never a panic.
    let mut count = good.clone();
    let params_at = good.len() - 8 - 3 * 4 * lenet5::train::net::param_count() - 8;
    count[params_at..params_at + 8].copy_from_slice(&5u64.to_le_bytes());
    reseal(&mut count);
    let err = checkpoint::decode(&count).unwrap_err();
    assert!(err.to_string().contains("5 parameters"), "{err}");
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..1000 {
        let mut bad = good.clone();
        // Mostly the fields before the weights, where the structure lives.
        let span = if xorshift(&mut state).is_multiple_of(4) {
            good.len() - 28
        } else {
            params_at + 8 - 20
        };
        let at = 20 + (xorshift(&mut state) as usize) % span;
        bad[at] = xorshift(&mut state) as u8;
        reseal(&mut bad);
        match checkpoint::decode(&bad) {
            Ok(saved) => {
                ok += 1;
                if saved.mismatches(&cfg, train.len(), 1).is_empty() {
                    saved.into_trainer();
                }
            }
            Err(e) => {
                refused += 1;
                assert!(matches!(e, CheckpointError::Invalid(_)), "byte {at}: {e:?}");
            }
        }
    }
    eprintln!("edited checkpoints: {ok} still valid (a weight or a statistic), {refused} refused");
    assert!(refused > 50);
    eprintln!("corrupt-checkpoint test: {:.1} s", started.elapsed().as_secs_f64());
}

mod binary {
    //! The real `export-onnx`, killed at many moments and resumed.

    use std::io::{BufRead, BufReader};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use lenet5::train::checkpoint;

    use super::common;

    const EPOCHS: &str = "3";

    /// `export-onnx` on the committed fixture with small settings, writing `dir/lenet5.onnx`.
    /// It runs in `cwd` (outside any git checkout, so the model's `git_commit` stays fixed).
    /// `extra` may override the defaults.
    fn command(dir: &Path, cwd: &Path, threads: usize, extra: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_export-onnx"));
        c.current_dir(cwd)
            .arg("--data")
            .arg(common::mini_mnist())
            .arg("--out")
            .arg(dir.join("lenet5.onnx"))
            .args(["--quiet", "--threads", &threads.to_string()]);
        for (flag, value) in [
            ("--epochs", EPOCHS),
            ("--batch-size", "32"),
            ("--seed", "11"),
            ("--limit", "512"),
        ] {
            if !extra.contains(&flag) {
                c.args([flag, value]);
            }
        }
        c.args(extra);
        c
    }

    /// A running trainer whose stdout lines arrive, timestamped, on a channel.
    struct Run {
        child: Child,
        lines: mpsc::Receiver<(Instant, String)>,
        started: Instant,
        stdout: Vec<String>,
        stderr: PathBuf,
    }

    impl Run {
        fn start(mut command: Command, stderr: PathBuf) -> Run {
            let err = std::fs::File::create(&stderr).expect("stderr log");
            let started = Instant::now();
            let mut child = command
                .stdout(Stdio::piped())
                .stderr(Stdio::from(err))
                .spawn()
                .expect("start export-onnx");
            let out = child.stdout.take().expect("stdout");
            let (tx, lines) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send((Instant::now(), line)).is_err() {
                        break;
                    }
                }
            });
            Run {
                child,
                lines,
                started,
                stdout: Vec::new(),
                stderr,
            }
        }

        /// Waits for a line containing one of `needles`; `None` if the trainer exits first.
        fn wait_for(&mut self, needles: &[&str]) -> Option<Instant> {
            while let Ok((at, line)) = self.lines.recv() {
                let hit = needles.iter().any(|n| line.contains(n));
                self.stdout.push(line);
                if hit {
                    return Some(at);
                }
            }
            None
        }

        /// Waits for the trainer to exit; (success, stdout, stderr).
        fn finish(mut self) -> (bool, String, String) {
            while let Ok((_, line)) = self.lines.recv() {
                self.stdout.push(line);
            }
            let ok = self.child.wait().expect("wait").success();
            let err = std::fs::read_to_string(&self.stderr).unwrap_or_default();
            (ok, self.stdout.join("\n"), err)
        }
    }

    fn run_to_end(command: Command, stderr: PathBuf) -> (String, Vec<(Duration, String)>) {
        let mut run = Run::start(command, stderr);
        let mut timed = Vec::new();
        while let Ok((at, line)) = run.lines.recv() {
            timed.push((at - run.started, line.clone()));
            run.stdout.push(line);
        }
        timed.push((run.started.elapsed(), String::from("<exit>")));
        let (ok, out, err) = run.finish();
        assert!(ok, "export-onnx failed:\n{out}\n{err}");
        (out, timed)
    }

    /// Reads the outputs; the checkpoint, if any, must decode.
    struct Outputs {
        model: Option<Vec<u8>>,
        metrics: Option<Vec<u8>>,
        svg: Option<Vec<u8>>,
        checkpoint: Option<usize>,
        temps: Vec<String>,
    }

    fn outputs(dir: &Path) -> Outputs {
        let read = |name: &str| std::fs::read(dir.join(name)).ok();
        let checkpoint = read("lenet5.onnx.ckpt").map(|b| {
            checkpoint::decode(&b)
                .unwrap_or_else(|e| panic!("a kill left a bad checkpoint: {e}"))
                .epochs_done
        });
        let mut temps = Vec::new();
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
            if !["lenet5.onnx", "metrics.json", "training.svg", "lenet5.onnx.ckpt"].contains(&name.as_str()) {
                assert!(
                    name.starts_with('.') && name.ends_with(".tmp"),
                    "unexpected file {name} in the output folder"
                );
                temps.push(name);
            }
        }
        Outputs {
            model: read("lenet5.onnx"),
            metrics: read("metrics.json"),
            svg: read("training.svg"),
            checkpoint,
            temps,
        }
    }

    /// The per-epoch results in a metrics.json, without the timings.
    fn history(metrics: &[u8]) -> Vec<(u64, String, String, String)> {
        let json: serde_json::Value = serde_json::from_slice(metrics).expect("metrics.json is JSON");
        json["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|h| {
                (
                    h["epoch"].as_u64().unwrap(),
                    h["train_loss"].to_string(),
                    h["train_accuracy"].to_string(),
                    h["test_accuracy"].to_string(),
                )
            })
            .collect()
    }

    fn is_svg(b: &[u8]) -> bool {
        let s = String::from_utf8_lossy(b);
        s.trim_start().starts_with("<svg") && s.trim_end().ends_with("</svg>")
    }

    /// When to kill: after a delay from the start, from the line saying where the run resumes
    /// (or that there was nothing to resume), or from the next epoch line.
    #[derive(Clone, Copy, Debug)]
    enum When {
        Start,
        Resumed,
        Epoch,
    }

    struct Expected {
        model: Vec<u8>,
        history: Vec<(u64, String, String, String)>,
    }

    struct Killed {
        completed: bool,
        checkpoint: Option<usize>,
        temps: Vec<String>,
    }

    /// Runs `export-onnx --resume`, SIGKILLs it at `when` + `delay` (unless it has finished),
    /// and checks that every output is whole: the previous file or the expected new one.
    fn kill_once(dir: &Path, logs: &Path, i: usize, when: When, delay: Duration, want: &Expected) -> Killed {
        let mut run = Run::start(command(dir, logs, 2, &["--resume"]), logs.join(format!("kill{i}.err")));
        let seen = match when {
            When::Start => Some(run.started),
            When::Resumed => run.wait_for(&["resuming from", "no checkpoint"]),
            When::Epoch => run.wait_for(&["  train loss "]),
        };
        if let Some(t) = seen {
            std::thread::sleep((t + delay).saturating_duration_since(Instant::now()));
            // SIGKILL; an error only means it has already exited.
            run.child.kill().ok();
        }
        let status = run.child.wait().expect("wait");
        let got = outputs(dir);
        eprintln!(
            "run {i} ({when:?} + {:.0} ms): {status}; checkpoint after epoch {:?}; left {:?}",
            delay.as_secs_f64() * 1000.0,
            got.checkpoint,
            got.temps
        );
        let model = got.model.expect("the model is never missing");
        assert!(
            model == OLD_MODEL || model == want.model,
            "run {i}: the model is neither the previous one nor the expected new one"
        );
        let metrics = got.metrics.expect("metrics.json is never missing");
        if metrics != OLD_METRICS {
            assert_eq!(history(&metrics), want.history, "run {i}: a new metrics.json");
        }
        let svg = got.svg.expect("training.svg is never missing");
        assert!(svg == OLD_SVG || is_svg(&svg), "run {i}: training.svg is cut short");
        if status.success() {
            assert!(model == want.model, "run {i} finished with another model");
            assert_eq!(got.checkpoint, None, "run {i} finished but kept its checkpoint");
        }
        Killed {
            completed: status.success(),
            checkpoint: got.checkpoint,
            temps: got.temps,
        }
    }

    const OLD_MODEL: &[u8] = b"the previous model\n";
    const OLD_METRICS: &[u8] = b"{\"previous\": true}\n";
    const OLD_SVG: &[u8] = b"<svg>previous</svg>\n";

    #[test]
    fn killed_runs_keep_the_previous_outputs_and_resume_bit_identically() {
        let test_started = Instant::now();
        let logs = tempfile::tempdir().expect("tempdir");
        // Uninterrupted, one thread.
        let reference = tempfile::tempdir().expect("tempdir");
        let (_, timed) = run_to_end(
            command(reference.path(), logs.path(), 1, &[]),
            logs.path().join("reference.err"),
        );
        let at = |needle: &str| {
            timed
                .iter()
                .find(|(_, l)| l.contains(needle))
                .map(|(t, _)| *t)
                .unwrap_or_else(|| panic!("no line {needle:?} in {timed:?}"))
        };
        let epoch1 = at("epoch  1/3");
        let epoch_time = at("epoch  2/3") - epoch1;
        let export_time = at("<exit>") - at("epoch  3/3");
        eprintln!(
            "reference: first epoch line after {:.2} s, {:.2} s per epoch, export {:.2} s",
            epoch1.as_secs_f64(),
            epoch_time.as_secs_f64(),
            export_time.as_secs_f64()
        );
        let want = outputs(reference.path());
        let want_model = want.model.expect("reference model");
        let want_history = history(&want.metrics.expect("reference metrics"));
        assert_eq!(want.checkpoint, None, "a finished run removes its checkpoint");
        assert!(want.temps.is_empty(), "{:?}", want.temps);
        assert!(lenet5::Model::from_bytes(&want_model).is_ok());

        // Killed again and again (two threads), each time with --resume, at moments measured
        // from the start, from the line saying where it resumes, or from the next epoch line.
        let dir = tempfile::tempdir().expect("tempdir");
        let ckpt = dir.path().join("lenet5.onnx.ckpt");
        // "A previous model" and its reports, and optionally a checkpoint to start from.
        let reset = |checkpoint: Option<&[u8]>| {
            std::fs::write(dir.path().join("lenet5.onnx"), OLD_MODEL).unwrap();
            std::fs::write(dir.path().join("metrics.json"), OLD_METRICS).unwrap();
            std::fs::write(dir.path().join("training.svg"), OLD_SVG).unwrap();
            if let Some(bytes) = checkpoint {
                std::fs::write(&ckpt, bytes).unwrap();
            }
        };
        reset(None);
        let expect = Expected {
            model: want_model.clone(),
            history: want_history.clone(),
        };
        let (mut runs, mut mid_write, mut completed, mut checkpoint) = (0, 0, false, None);
        let mut attempt = |when: When, delay: Duration| {
            let got = kill_once(dir.path(), logs.path(), runs, when, delay, &expect);
            runs += 1;
            if got.checkpoint == Some(3) && got.temps.iter().any(|t| !t.contains(".ckpt.")) {
                mid_write += 1;
            }
            (got.completed, got.checkpoint)
        };
        let zero = Duration::ZERO;
        // During training.
        let plan = [
            (When::Start, epoch1.mul_f64(0.5)),        // before the first checkpoint
            (When::Epoch, zero),                       // just after it
            (When::Resumed, epoch_time.mul_f64(0.5)),  // mid-epoch
            (When::Resumed, epoch_time.mul_f64(0.97)), // around a checkpoint's write
            (When::Resumed, epoch_time.mul_f64(1.03)),
        ];
        for (when, delay) in plan {
            (completed, checkpoint) = attempt(when, delay);
        }
        // Then to the end of training (killed as each epoch is reported)...
        for _ in 0..8 {
            if checkpoint == Some(3) {
                break;
            }
            if completed {
                reset(None); // finished early (a slow machine): train again
            }
            (completed, checkpoint) = attempt(When::Epoch, zero);
        }
        assert_eq!(checkpoint, Some(3), "never got the last epoch's checkpoint");
        let last = std::fs::read(&ckpt).unwrap();
        // ... and during the export and the final writes, each time from the last checkpoint.
        for f in [0.2, 0.5, 0.8] {
            if completed {
                reset(Some(&last));
            }
            (completed, checkpoint) = attempt(When::Resumed, export_time.mul_f64(f));
        }
        eprintln!("{runs} runs, {mid_write} killed while writing the final outputs");
        assert_eq!(checkpoint, if completed { None } else { Some(3) });

        // Finish with --resume: the same model, byte for byte, as the uninterrupted run.
        if !completed {
            let (out, _) = run_to_end(
                command(dir.path(), logs.path(), 2, &["--resume"]),
                logs.path().join("final.err"),
            );
            assert!(out.contains("resuming from"), "{out}");
        }
        let got = outputs(dir.path());
        assert!(
            got.model.as_deref() == Some(&want_model[..]),
            "resumed model differs from the uninterrupted one"
        );
        assert_eq!(history(&got.metrics.expect("metrics")), want_history);
        assert!(is_svg(&got.svg.expect("svg")));
        assert_eq!(got.checkpoint, None, "the checkpoint is removed at the end");
        assert!(got.temps.is_empty(), "temporary files left: {:?}", got.temps);
        eprintln!("kill/resume test: {:.1} s", test_started.elapsed().as_secs_f64());
    }

    #[test]
    fn bad_or_mismatched_checkpoints_are_refused_and_the_model_kept() {
        let test_started = Instant::now();
        let logs = tempfile::tempdir().expect("tempdir");
        let dir = tempfile::tempdir().expect("tempdir");
        let model = dir.path().join("lenet5.onnx");
        let ckpt = dir.path().join("lenet5.onnx.ckpt");
        std::fs::write(&model, OLD_MODEL).unwrap();

        // A real checkpoint: kill once the first epoch is reported.
        let mut run = Run::start(command(dir.path(), logs.path(), 2, &[]), logs.path().join("first.err"));
        assert!(run.wait_for(&["epoch  1/3"]).is_some(), "{:?}", run.stdout);
        run.child.kill().ok();
        run.child.wait().expect("wait");
        let good = std::fs::read(&ckpt).expect("a checkpoint after the first epoch");
        assert!(checkpoint::decode(&good).is_ok());

        let refused = |bytes: &[u8], extra: &[&str], expect: &[&str]| {
            std::fs::write(&ckpt, bytes).unwrap();
            let mut args = vec!["--resume"];
            args.extend_from_slice(extra);
            let run = Run::start(
                command(dir.path(), logs.path(), 2, &args),
                logs.path().join("refused.err"),
            );
            let (ok, out, err) = run.finish();
            assert!(!ok, "resuming should fail:\n{out}");
            for e in expect {
                assert!(err.contains(e), "stderr lacks {e:?}:\n{err}");
            }
            assert!(!err.contains("panicked"), "{err}");
            assert_eq!(std::fs::read(&model).unwrap(), OLD_MODEL, "the model must stay");
            assert_eq!(std::fs::read(&ckpt).unwrap(), bytes, "the checkpoint must stay");
            eprintln!("refused: {}", err.trim());
        };
        refused(&good[..good.len() / 2], &[], &["cannot resume from", "truncated"]);
        refused(&good[..5], &[], &["cannot resume from", "truncated"]);
        refused(
            b"garbage, not a checkpoint",
            &[],
            &["not a LeNet-5 training checkpoint"],
        );
        let mut flipped = good.clone();
        flipped[1000] ^= 0x10;
        refused(&flipped, &[], &["corrupt (checksum mismatch)"]);
        refused(
            &good,
            &["--seed", "12"],
            &["different settings", "seed (--seed): 11 in the checkpoint, 12 now"],
        );
        refused(
            &good,
            &["--limit", "500"],
            &[
                "training examples (--limit, --data, --restroked, --allographs, --outliers, --mnist-only): 767 in the checkpoint, 749 now",
            ],
        );
        refused(&good, &["--no-augment"], &["distortion (--no-augment)"]);

        // The good one resumes (and, after --epochs 3 in total, is removed).
        std::fs::write(&ckpt, &good).unwrap();
        let (out, _) = run_to_end(
            command(dir.path(), logs.path(), 2, &["--resume"]),
            logs.path().join("ok.err"),
        );
        assert!(
            out.contains("resuming from") && out.contains("1 of 3 epochs done"),
            "{out}"
        );
        assert!(!ckpt.exists());
        assert!(lenet5::Model::from_bytes(&std::fs::read(&model).unwrap()).is_ok());
        eprintln!("refusal test: {:.1} s", test_started.elapsed().as_secs_f64());
    }
}
