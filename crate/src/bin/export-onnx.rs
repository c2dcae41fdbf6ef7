//! Trains LeNet-5 on MNIST and writes `model/lenet5.onnx`, then reloads it with tract and
//! checks it against the trainer before it replaces the previous model.
//!
//! Kill-safe: every file is written to a hidden temporary file beside its target
//! (`.NAME.XXXXXX.tmp`, gitignored by `*.tmp`) and renamed over it only when complete, so a
//! kill at any moment leaves each of the model, `metrics.json`, `training.svg` and the
//! checkpoint either as it was or wholly new. After every epoch the training state goes to a
//! checkpoint (`<out>.ckpt`); `--resume` continues from it bit-identically, and it is deleted
//! once the model and reports are written. A run removes the temporary files that killed runs
//! left beside its outputs.
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

    use lenet5::onnx::contract::{CLASSES, INPUT_LEN};
    use lenet5::train::augment::Distortion;
    use lenet5::train::checkpoint::{self, RunLog};
    use lenet5::train::export;
    use lenet5::train::mnist;
    use lenet5::train::net::C3Mode;
    use lenet5::train::report::{self, Metrics, OnnxCheck};
    use lenet5::train::synth::{Bench, Mix, Recipe};
    use lenet5::train::trainer::{self, Config, EpochStats, Samples, Source, Trainer};

    /// The default mix, per MNIST training digit used: chosen by the ablation in
    /// model/README.md.
    const RESTROKED_PER_DIGIT: f64 = 1.0 / 6.0;
    const ALLOGRAPHS_PER_DIGIT: f64 = 1.0 / 6.0;
    const OUTLIERS_PER_DIGIT: f64 = 1.0 / 6.0;

    /// Drawn digits of each style and non-digits in the evaluation sets measured every epoch.
    const BENCH_PER_STYLE: usize = 40;
    const BENCH_OUTLIERS: usize = 1000;

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum PrecisionArg {
        /// Weight matrices as int8 with a float32 scale per map or unit, behind a Cast and a Mul
        /// (a quarter of the download; MNIST accuracy unchanged; checked against the trainer
        /// with the same rounding).
        I8,
        /// Weight matrices as float16 behind a Cast (half the download; checked against the
        /// trainer with the same rounding).
        F16,
        /// Everything float32.
        F32,
    }

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum C3Arg {
        /// Every C3 map sees all six S2 maps.
        Full,
        /// The connection table of LeCun et al. 1998.
        Paper,
    }

    /// Train LeNet-5 on MNIST and export it as ONNX for the browser app.
    #[derive(Debug, Parser)]
    #[command(
        version,
        about,
        after_help = "Killing the trainer at any moment is safe: every file is first written to a hidden \
            `.NAME.XXXXXX.tmp` beside it and renamed over the old one only when complete, so the previous \
            model, metrics.json and training.svg stay intact until the new ones replace them. The training \
            state is checkpointed after every epoch; rerun the same command with --resume to continue \
            (the result is bit-identical to an uninterrupted run). The checkpoint is deleted once the \
            model and reports are written; temporary files left by a killed run are removed by the next \
            run that writes beside them."
    )]
    struct Args {
        /// Passes over the training data (MNIST's digits and the generated drawings).
        #[arg(long, default_value_t = Config::default().epochs)]
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
        /// How the ONNX file stores the weight matrices.
        #[arg(long, value_enum, default_value_t = PrecisionArg::I8)]
        precision: PrecisionArg,
        /// Where to write the model; metrics.json and training.svg go next to it.
        #[arg(long, default_value = "model/lenet5.onnx")]
        out: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Train on MNIST as is, without distortions.
        #[arg(long)]
        no_augment: bool,
        /// MNIST training digits redrawn each epoch from their skeletons with a canvas-like pen
        /// (a random digit each time), added to MNIST's [default: a sixth of the MNIST digits
        /// used: 10,000 of 60,000].
        #[arg(long)]
        restroked: Option<usize>,
        /// Generated digits in the forms people draw (crossed 7, flagged 1, open 4, ...) added
        /// each epoch [default: a sixth of the MNIST digits used: 10,000].
        #[arg(long)]
        allographs: Option<usize>,
        /// Generated non-digits (scribbles, doodles, letters, overlapping digits) added each
        /// epoch, trained towards the uniform distribution so that they read as "not sure"
        /// [default: a sixth of the MNIST digits used: 10,000].
        #[arg(long)]
        outliers: Option<usize>,
        /// Folder of outline fonts (.ttf, .otf) whose letters and symbols join the non-digits and
        /// whose digits join the generated digits (printed forms).
        #[arg(long, default_value = lenet5::train::fonts::DEFAULT_DIR)]
        fonts: PathBuf,
        /// No font letters among the non-digits, no font digits among the generated digits.
        #[arg(long)]
        no_fonts: bool,
        /// No font digits among the generated digits (the font letters stay).
        #[arg(long)]
        no_font_digits: bool,
        /// MNIST only: the same as --restroked 0 --allographs 0 --outliers 0.
        #[arg(long)]
        mnist_only: bool,
        /// Use only the first N training digits (quick experiments and tests).
        #[arg(long)]
        limit: Option<usize>,
        /// No progress bars.
        #[arg(long)]
        quiet: bool,
        /// Continue from the checkpoint (see --checkpoint) of an interrupted run instead of
        /// starting over; the final model is bit-identical to an uninterrupted run's. Refused if
        /// the checkpoint was made with different settings (--epochs, --batch-size, --lr, --seed,
        /// --c3, --no-augment, --limit, or other data); --threads may differ. Without a
        /// checkpoint, starts from epoch 1.
        #[arg(long)]
        resume: bool,
        /// The training state is saved here (atomically) after every epoch, and deleted once the
        /// model and reports are written [default: <OUT>.ckpt, e.g. model/lenet5.onnx.ckpt].
        #[arg(long, value_name = "PATH")]
        checkpoint: Option<PathBuf>,
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

        let out_name = args
            .out
            .file_name()
            .ok_or_else(|| format!("--out {} must name a file", args.out.display()))?;
        let dir = dir_of(&args.out).to_path_buf();
        let metrics_path = dir.join("metrics.json");
        let svg_path = dir.join("training.svg");
        let ckpt_path = args.checkpoint.clone().unwrap_or_else(|| {
            let mut name = out_name.to_os_string();
            name.push(".ckpt");
            args.out.with_file_name(name)
        });
        if [&args.out, &metrics_path, &svg_path].contains(&&ckpt_path) {
            return Err(format!(
                "--checkpoint {} would overwrite an output",
                ckpt_path.display()
            ));
        }
        let stale = remove_stale_temps(&[&args.out, &metrics_path, &svg_path, &ckpt_path]);
        if stale > 0 {
            println!("removed {stale} temporary file(s) left by an interrupted run");
        }

        let data = mnist::load_or_download(args.data.as_deref()).map_err(|e| e.to_string())?;
        let limit = args.limit.unwrap_or(usize::MAX).min(data.train.len());
        let train_set = Samples {
            images: &data.train.images[..limit * 784],
            labels: &data.train.labels[..limit],
        };
        let test_set = data.test.samples();
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

        let share = |n: Option<usize>, per_digit: f64| {
            n.unwrap_or_else(|| (train_set.len() as f64 * per_digit).round() as usize)
        };
        let recipe = if args.mnist_only {
            Recipe::default()
        } else {
            Recipe {
                restroked: share(args.restroked, RESTROKED_PER_DIGIT),
                allographs: share(args.allographs, ALLOGRAPHS_PER_DIGIT),
                outliers: share(args.outliers, OUTLIERS_PER_DIGIT),
            }
        };
        let t = Instant::now();
        let fonts = if recipe.outliers + recipe.allographs > 0 && !args.no_fonts {
            lenet5::train::fonts::load_dir(&args.fonts)?
        } else {
            Default::default()
        };
        let font_digits = if args.no_font_digits { Vec::new() } else { fonts.digits };
        let (glyph_count, font_digit_count) = (fonts.letters.len(), font_digits.len());
        let mut font_fingerprint = fonts.fingerprint;
        font_fingerprint.push(u8::from(font_digits.is_empty()));
        let mix = Mix::new(train_set, recipe).with_fonts(fonts.letters, font_digits);
        let bench = Bench::new(BENCH_PER_STYLE, BENCH_OUTLIERS);
        println!(
            "drawn data each epoch: {} re-stroked MNIST digits, {} generated digits (one in {} printed as one of {} font digits), {} non-digits ({} font glyphs among them; {:.1} s to trace the skeletons and draw the evaluation sets)",
            recipe.restroked,
            recipe.allographs,
            lenet5::train::synth::FONT_DIGITS,
            font_digit_count,
            recipe.outliers,
            glyph_count,
            t.elapsed().as_secs_f64()
        );
        let recipe_bytes = serde_json::to_vec(&recipe).map_err(|e| e.to_string())?;
        let data_fingerprint = checkpoint::fingerprint(&[
            train_set.images,
            train_set.labels,
            test_set.images,
            test_set.labels,
            &recipe_bytes,
            &font_fingerprint,
        ]);
        let resumed = if args.resume {
            load_checkpoint(&ckpt_path, &config, mix.len(), data_fingerprint)?
        } else {
            if ckpt_path.exists() {
                println!(
                    "starting over: {} is left from an earlier run (pass --resume to continue it)",
                    ckpt_path.display()
                );
            }
            None
        };
        let (mut trainer, mut log) = resumed.unwrap_or_else(|| {
            let log = RunLog {
                data_fingerprint,
                ..RunLog::default()
            };
            (Trainer::new(config.clone(), mix.len()), log)
        });
        let earlier_wall_seconds = log.wall_seconds;
        for epoch in trainer.epochs_done() + 1..=args.epochs {
            let bar = if args.quiet {
                ProgressBar::hidden()
            } else {
                ProgressBar::new(mix.len().div_ceil(args.batch_size) as u64)
            };
            bar.set_style(
                ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} loss {msg} ({elapsed}, eta {eta})")
                    .map_err(|e| e.to_string())?
                    .progress_chars("=> "),
            );
            bar.set_prefix(format!("{epoch}/{}", args.epochs));
            let t = Instant::now();
            let (loss, train_acc) = trainer.epoch(&mix, |done, _, loss| {
                bar.set_position(done as u64);
                if done % 20 == 0 {
                    bar.set_message(format!("{loss:.4}"));
                }
            });
            let seconds = t.elapsed().as_secs_f64();
            bar.finish_and_clear();
            let eval = trainer::evaluate(&trainer.params, test_set);
            let drawn = bench.evaluate(&trainer.params);
            log.history.push(EpochStats {
                epoch,
                train_loss: loss,
                train_accuracy: train_acc,
                test_accuracy: eval.accuracy,
                seconds,
                drawn_accuracy: Some(drawn.drawn_accuracy),
                nondigit_auroc: Some(drawn.auroc),
            });
            log.wall_seconds = earlier_wall_seconds + started.elapsed().as_secs_f64();
            // Saved before the epoch's line is printed: once the line is out, so is the state.
            write_atomic(&ckpt_path, &checkpoint::encode(&trainer, &log))
                .map_err(|e| format!("could not save the checkpoint: {e}"))?;
            println!(
                "epoch {epoch:>2}/{}  train loss {loss:.4}  train acc {:.2}%  test acc {:.2}%  drawn {:.2}%  non-digit AUROC {:.4}  {seconds:.1} s",
                args.epochs,
                100.0 * train_acc,
                100.0 * eval.accuracy,
                100.0 * drawn.drawn_accuracy,
                drawn.auroc
            );
            std::io::stdout().flush().ok();
        }
        let history = &log.history;
        let train_seconds: f64 = history.iter().map(|h| h.seconds).sum();
        let mut reached_99 = None;
        let mut elapsed = 0.0;
        for h in history {
            elapsed += h.seconds;
            if reached_99.is_none() && h.test_accuracy >= 0.99 {
                reached_99 = Some((h.epoch, elapsed));
            }
        }

        // The weights as the file stores them: accuracy, metadata and the self-check all use
        // these, so the numbers describe the file.
        let precision = match args.precision {
            PrecisionArg::I8 => export::Precision::I8,
            PrecisionArg::F16 => export::Precision::F16,
            PrecisionArg::F32 => export::Precision::F32,
        };
        let stored = export::rounded(&trainer.params, precision);
        let params = &stored;
        let eval = trainer::evaluate(params, test_set);
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
            ("weights".into(), precision.name().into()),
        ];
        let bytes = export::to_bytes_as(params, &metadata, precision);
        let (onnx_tmp, check) = write_checked(&args.out, &bytes, params, test_set, &eval)?;
        let summary = format!(
            "wrote {} ({} bytes): test accuracy {:.2}% (trainer) = {:.2}% (tract), max |Δp| {:.1e} over {} digits",
            args.out.display(),
            bytes.len(),
            100.0 * eval.accuracy,
            100.0 * check.tract_test_accuracy,
            check.max_abs_diff_probabilities,
            check.digits_compared
        );

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
            wall_time_seconds: earlier_wall_seconds + started.elapsed().as_secs_f64(),
            seconds_per_epoch: train_seconds / args.epochs as f64,
            reached_99_percent: reached_99,
            git_commit: report::git_commit(),
            onnx_bytes: bytes.len(),
            onnx_check: check,
            recipe,
            drawn: report::DrawnMetrics::from(&bench.evaluate(params)),
            history,
        };
        let json = serde_json::to_string_pretty(&metrics).map_err(|e| e.to_string())?;
        let metrics_tmp = write_temp(&metrics_path, json.as_bytes())
            .map_err(|e| format!("could not write {}: {e}", metrics_path.display()))?;
        let title = report::title(c3.name(), eval.accuracy, args.epochs, &recipe);
        let svg_tmp = temp_beside(&svg_path).map_err(|e| format!("could not write in {}: {e}", dir.display()))?;
        report::plot(svg_tmp.path(), history, &eval, &title)?;
        finish(svg_tmp.path()).map_err(|e| format!("could not write {}: {e}", svg_path.display()))?;

        // All three are complete: rename them into place back to back. A kill in between leaves
        // every file whole (old or new), and the checkpoint, so `--resume` redoes the export.
        for (tmp, path) in [
            (onnx_tmp, &args.out),
            (metrics_tmp, &metrics_path),
            (svg_tmp, &svg_path),
        ] {
            tmp.persist(path)
                .map_err(|e| format!("could not replace {}: {}", path.display(), e.error))?;
        }
        println!("{summary}");
        println!("wrote {} and {}", metrics_path.display(), svg_path.display());
        match std::fs::remove_file(&ckpt_path) {
            Ok(()) => println!("removed the checkpoint {}", ckpt_path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => eprintln!("warning: could not remove the checkpoint {}: {e}", ckpt_path.display()),
        }
        Ok(())
    }

    /// The trainer and log saved at `path`, if there is a checkpoint there and it was made with
    /// the same settings and data; `None` (start over) if there is none.
    fn load_checkpoint(
        path: &Path,
        config: &Config,
        train_len: usize,
        data_fingerprint: u64,
    ) -> Result<Option<(Trainer, RunLog)>, String> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                println!("--resume: no checkpoint at {}, starting from epoch 1", path.display());
                return Ok(None);
            }
            Err(e) => return Err(format!("cannot resume: could not read {}: {e}", path.display())),
        };
        let saved = checkpoint::decode(&bytes).map_err(|e| {
            format!(
                "cannot resume from {}: {e}. Delete it, or run without --resume to start over.",
                path.display()
            )
        })?;
        let mismatches = saved.mismatches(config, train_len, data_fingerprint);
        if !mismatches.is_empty() {
            let lines: Vec<String> = mismatches
                .iter()
                .map(|m| {
                    let flag = match m.setting {
                        "epochs" => "--epochs",
                        "batch_size" => "--batch-size",
                        "lr" => "--lr",
                        "seed" => "--seed",
                        "c3" => "--c3",
                        "distortion" => "--no-augment",
                        "training examples" => "--limit, --data, --restroked, --allographs, --outliers, --mnist-only",
                        _ => "--data, --restroked, --allographs, --outliers, --mnist-only",
                    };
                    format!(
                        "  {} ({flag}): {} in the checkpoint, {} now",
                        m.setting, m.checkpoint, m.now
                    )
                })
                .collect();
            return Err(format!(
                "cannot resume from {}: it was saved with different settings:\n{}\nRerun with the same settings, or without --resume to start over.",
                path.display(),
                lines.join("\n")
            ));
        }
        let done = saved.epochs_done;
        let last = saved.log.history.last().map_or(String::new(), |h| {
            format!(" (test acc {:.2}%)", 100.0 * h.test_accuracy)
        });
        println!(
            "resuming from {}: {done} of {} epochs done{last}",
            path.display(),
            config.epochs
        );
        Ok(Some(saved.into_trainer()))
    }

    /// The folder a file goes in ("." for a bare name).
    fn dir_of(path: &Path) -> &Path {
        path.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// Length of the random part of `tempfile`'s names.
    const TEMP_RANDOM_LEN: usize = 6;

    /// An empty temporary file beside `path` named `.NAME.XXXXXX.tmp`: hidden, gitignored
    /// (`*.tmp`), recognisably ours if a kill leaves it behind, and on the same file system so
    /// that renaming it over `path` is atomic.
    fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
        let dir = dir_of(path);
        std::fs::create_dir_all(dir)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .rand_bytes(TEMP_RANDOM_LEN)
            .tempfile_in(dir)
    }

    /// Syncs a finished temporary file and makes it world-readable (temporary files are created
    /// 0600; models and reports are meant to be served and shared).
    fn finish(path: &Path) -> std::io::Result<()> {
        std::fs::File::open(path)?.sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
        }
        Ok(())
    }

    /// `bytes` in a finished temporary file beside `path`, to be renamed over it.
    fn write_temp(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
        let mut tmp = temp_beside(path)?;
        tmp.write_all(bytes)?;
        tmp.flush()?;
        finish(tmp.path())?;
        Ok(tmp)
    }

    /// Replaces `path` with `bytes` atomically: a kill leaves the old file or the new one.
    fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
        write_temp(path, bytes)
            .map_err(|e| format!("could not write {}: {e}", path.display()))?
            .persist(path)
            .map_err(|e| format!("could not replace {}: {}", path.display(), e.error))?;
        Ok(())
    }

    /// Deletes the temporary files (see [`temp_beside`]) that killed runs left beside `paths`.
    /// Returns how many it removed.
    fn remove_stale_temps(paths: &[&Path]) -> usize {
        let mut removed = 0;
        for path in paths {
            let (Some(name), Ok(entries)) = (path.file_name(), std::fs::read_dir(dir_of(path))) else {
                continue;
            };
            let prefix = format!(".{}.", name.to_string_lossy());
            for entry in entries.flatten() {
                let file = entry.file_name();
                let file = file.to_string_lossy();
                let ours = file
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix(".tmp"))
                    .is_some_and(|r| r.len() == TEMP_RANDOM_LEN && r.chars().all(|c| c.is_ascii_alphanumeric()));
                if ours && entry.file_type().is_ok_and(|t| t.is_file()) && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }

    /// Writes the model to a temporary file beside `out`, reloads that file with tract and checks
    /// it against the trainer; the caller renames it over `out` only then, so a bad export or a
    /// kill at any moment leaves the previous model in place.
    fn write_checked(
        out: &Path,
        bytes: &[u8],
        params: &lenet5::train::net::Params,
        test: Samples<'_>,
        eval: &trainer::Evaluation,
    ) -> Result<(tempfile::NamedTempFile, OnnxCheck), String> {
        let tmp = write_temp(out, bytes).map_err(|e| format!("could not write {}: {e}", out.display()))?;
        let reread =
            std::fs::read(tmp.path()).map_err(|e| format!("could not reread {}: {e}", tmp.path().display()))?;
        let mut model =
            lenet5::Model::from_bytes(&reread).map_err(|e| format!("the exported model fails to load: {e}"))?;

        let ours = trainer::predict_all(params, test);
        let mut input = vec![0f32; INPUT_LEN];
        let (mut correct, mut max_diff) = (0usize, 0f32);
        for i in 0..test.len() {
            lenet5::train::augment::place(&test.images[i * 784..][..784], &mut input);
            let p = model
                .predict(&input)
                .map_err(|e| format!("the exported model fails to run: {e}"))?;
            if lenet5::train::net::argmax(&p) == test.labels[i] as usize {
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
        let check = OnnxCheck {
            tract_test_accuracy: tract_acc,
            max_abs_diff_probabilities: max_diff,
            digits_compared: test.len(),
        };
        Ok((tmp, check))
    }
}
