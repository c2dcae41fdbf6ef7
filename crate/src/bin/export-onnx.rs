//! Trains LeNet-5 on MNIST and writes `model/lenet5.onnx`, then reloads it with tract and
//! checks it against the trainer before it replaces the previous model.
//!
//! `cargo run --release --bin export-onnx -- --help`

// The trainer's command line is native only (threads, files, downloads); the wasm build of
// the crate's tests must still be able to compile this target.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;
    use std::time::Instant;

    use clap::{Parser, ValueEnum};
    use indicatif::{ProgressBar, ProgressStyle};

    use lenet5::augment::Distortion;
    use lenet5::mnist;
    use lenet5::net::{C3Mode, CLASSES, INPUT};
    use lenet5::onnx_export;
    use lenet5::report::{self, Metrics, OnnxCheck};
    use lenet5::train::{self, Config, EpochStats, Samples, Trainer};

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum C3Arg {
        /// Every C3 map sees all six S2 maps.
        Full,
        /// The connection table of LeCun et al. 1998.
        Paper,
    }

    /// Train LeNet-5 on MNIST and export it as ONNX for the browser app.
    #[derive(Debug, Parser)]
    #[command(version, about)]
    struct Args {
        /// Passes over the 60,000 training digits.
        #[arg(long, default_value_t = 20)]
        epochs: usize,
        /// Digits per optimiser step.
        #[arg(long, default_value_t = 64)]
        batch_size: usize,
        /// Adam's peak learning rate (cosine-decayed to 1% of it).
        #[arg(long, default_value_t = 2e-3)]
        lr: f32,
        /// Same seed, same model (whatever --threads).
        #[arg(long, default_value_t = 1998)]
        seed: u64,
        /// C3's connections to S2.
        #[arg(long, value_enum, default_value_t = C3Arg::Full)]
        c3: C3Arg,
        /// Folder with the four MNIST IDX files (gzip or raw). Without it, MNIST is downloaded
        /// (checksums verified) into a cache folder.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Where to write the model; metrics.json and training.svg go next to it.
        #[arg(long, default_value = "model/lenet5.onnx")]
        out: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Train on MNIST as is, without distortions.
        #[arg(long)]
        no_augment: bool,
        /// Use only the first N training digits (quick experiments and tests).
        #[arg(long)]
        limit: Option<usize>,
        /// No progress bars.
        #[arg(long)]
        quiet: bool,
    }

    pub fn main() -> ExitCode {
        match run(Args::parse()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    }

    fn run(args: Args) -> Result<(), String> {
        if args.epochs == 0 || args.batch_size == 0 {
            return Err("--epochs and --batch-size must be at least 1".into());
        }
        if !(args.lr.is_finite() && args.lr > 0.0) {
            return Err(format!("--lr must be a positive number, got {}", args.lr));
        }
        if let Some(n) = args.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build_global()
                .map_err(|e| format!("could not start {n} threads: {e}"))?;
        }
        let threads = rayon::current_num_threads();
        let started = Instant::now();

        let data = mnist::load_or_download(args.data.as_deref()).map_err(|e| e.to_string())?;
        let limit = args.limit.unwrap_or(usize::MAX).min(data.train.len());
        let train_set = Samples {
            images: &data.train.images[..limit * 784],
            labels: &data.train.labels[..limit],
        };
        let test_set = Samples {
            images: &data.test.images,
            labels: &data.test.labels,
        };
        let c3 = match args.c3 {
            C3Arg::Full => C3Mode::Full,
            C3Arg::Paper => C3Mode::Paper,
        };
        let config = Config {
            epochs: args.epochs,
            batch_size: args.batch_size,
            lr: args.lr,
            seed: args.seed,
            c3,
            distortion: (!args.no_augment).then(Distortion::default),
        };
        println!(
            "LeNet-5 (C3 {}), {} training digits, {} test digits, {} epochs, batch {}, lr {}, seed {}, {} threads, {}",
            c3.name(),
            train_set.len(),
            test_set.len(),
            args.epochs,
            args.batch_size,
            args.lr,
            args.seed,
            threads,
            if config.distortion.is_some() {
                "distorted digits"
            } else {
                "no distortion"
            }
        );

        let mut trainer = Trainer::new(config.clone(), train_set.len());
        let mut history: Vec<EpochStats> = Vec::new();
        let mut train_seconds = 0.0;
        let mut reached_99 = None;
        for epoch in 1..=args.epochs {
            let bar = if args.quiet {
                ProgressBar::hidden()
            } else {
                ProgressBar::new(train_set.len().div_ceil(args.batch_size) as u64)
            };
            bar.set_style(
                ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} loss {msg} ({elapsed}, eta {eta})")
                    .map_err(|e| e.to_string())?
                    .progress_chars("=> "),
            );
            bar.set_prefix(format!("{epoch}/{}", args.epochs));
            let t = Instant::now();
            let (loss, train_acc) = trainer.epoch(train_set, |done, _, loss| {
                bar.set_position(done as u64);
                if done % 20 == 0 {
                    bar.set_message(format!("{loss:.4}"));
                }
            });
            let seconds = t.elapsed().as_secs_f64();
            bar.finish_and_clear();
            train_seconds += seconds;
            let eval = train::evaluate(&trainer.params, test_set);
            if reached_99.is_none() && eval.accuracy >= 0.99 {
                reached_99 = Some((epoch, train_seconds));
            }
            println!(
                "epoch {epoch:>2}/{}  train loss {loss:.4}  train acc {:.2}%  test acc {:.2}%  {seconds:.1} s",
                args.epochs,
                100.0 * train_acc,
                100.0 * eval.accuracy
            );
            std::io::stdout().flush().ok();
            history.push(EpochStats {
                epoch,
                train_loss: loss,
                train_accuracy: train_acc,
                test_accuracy: eval.accuracy,
                seconds,
            });
        }

        let params = &trainer.params;
        let eval = train::evaluate(params, test_set);
        let metadata: Vec<(String, String)> = vec![
            ("accuracy".into(), format!("{:.4}", eval.accuracy)),
            ("seed".into(), args.seed.to_string()),
            ("epochs".into(), args.epochs.to_string()),
            ("c3".into(), c3.name().into()),
            ("augmentation".into(), config.distortion.is_some().to_string()),
            (
                "producer".into(),
                format!("lenet5 export-onnx {}", env!("CARGO_PKG_VERSION")),
            ),
            ("git_commit".into(), report::git_commit()),
        ];
        let bytes = onnx_export::to_bytes(params, &metadata);
        let check = write_checked(&args.out, &bytes, params, test_set, &eval)?;
        println!(
            "wrote {} ({} bytes): test accuracy {:.2}% (trainer) = {:.2}% (tract), max |Δp| {:.1e} over {} digits",
            args.out.display(),
            bytes.len(),
            100.0 * eval.accuracy,
            100.0 * check.tract_test_accuracy,
            check.max_abs_diff_probabilities,
            check.digits_compared
        );

        let dir = args
            .out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let metrics = Metrics {
            test_accuracy: eval.accuracy,
            test_error_percent: 100.0 * (1.0 - eval.accuracy),
            per_class_accuracy: eval.per_class(),
            confusion: eval.confusion,
            epochs: args.epochs,
            seed: args.seed,
            c3: c3.name(),
            batch_size: args.batch_size,
            lr: args.lr,
            augmentation: config.distortion.is_some(),
            threads,
            wall_time_seconds: started.elapsed().as_secs_f64(),
            seconds_per_epoch: train_seconds / args.epochs as f64,
            reached_99_percent: reached_99,
            git_commit: report::git_commit(),
            onnx_bytes: bytes.len(),
            onnx_check: check,
            history: &history,
        };
        let json = serde_json::to_string_pretty(&metrics).map_err(|e| e.to_string())?;
        let metrics_path = dir.join("metrics.json");
        onnx_export::write_atomic(&metrics_path, json.as_bytes())
            .map_err(|e| format!("could not write {}: {e}", metrics_path.display()))?;
        let svg_path = dir.join("training.svg");
        let title = format!(
            "LeNet-5 (C3 {}) on MNIST: {:.2}% test accuracy after {} epochs",
            c3.name(),
            100.0 * eval.accuracy,
            args.epochs
        );
        report::plot(&svg_path, &history, &eval, &title)?;
        println!("wrote {} and {}", metrics_path.display(), svg_path.display());
        Ok(())
    }

    /// Writes the model to a temporary file beside `out`, reloads that file with tract, checks it
    /// against the trainer, and only then renames it over `out`: a bad export or a kill at any
    /// moment leaves the previous model in place.
    fn write_checked(
        out: &Path,
        bytes: &[u8],
        params: &lenet5::net::Params,
        test: Samples<'_>,
        eval: &train::Evaluation,
    ) -> Result<OnnxCheck, String> {
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let mut tmp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("could not write in {}: {e}", dir.display()))?;
        tmp.write_all(bytes)
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| format!("could not write {}: {e}", tmp.path().display()))?;
        let reread =
            std::fs::read(tmp.path()).map_err(|e| format!("could not reread {}: {e}", tmp.path().display()))?;
        let mut model =
            lenet5::Model::from_bytes(&reread).map_err(|e| format!("the exported model fails to load: {e}"))?;

        let ours = train::predict_all(params, test);
        let mut input = vec![0f32; INPUT];
        let (mut correct, mut max_diff) = (0usize, 0f32);
        for i in 0..test.len() {
            lenet5::augment::place(&test.images[i * 784..][..784], &mut input);
            let p = model
                .predict(&input)
                .map_err(|e| format!("the exported model fails to run: {e}"))?;
            if lenet5::net::argmax(&p) == test.labels[i] as usize {
                correct += 1;
            }
            for (a, b) in p.iter().zip(&ours[i * CLASSES..][..CLASSES]) {
                max_diff = max_diff.max((a - b).abs());
            }
        }
        let tract_acc = correct as f64 / test.len().max(1) as f64;
        let trainer_correct = (eval.accuracy * test.len() as f64).round() as usize;
        if correct.abs_diff(trainer_correct) > test.len() / 10_000 {
            return Err(format!(
                "self-check failed: tract gets {correct} test digits right, the trainer {trainer_correct}; {} kept unchanged",
                out.display()
            ));
        }
        if max_diff > 1e-5 {
            return Err(format!(
                "self-check failed: tract's probabilities differ from the trainer's by up to {max_diff:e} (limit 1e-5); {} kept unchanged",
                out.display()
            ));
        }
        tmp.persist(out)
            .map_err(|e| format!("could not replace {}: {}", out.display(), e.error))?;
        Ok(OnnxCheck {
            tract_test_accuracy: tract_acc,
            max_abs_diff_probabilities: max_diff,
            digits_compared: test.len(),
        })
    }
}
