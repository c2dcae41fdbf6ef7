//! Training reports: `metrics.json` for machines and `training.svg` for people.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::synth::{BenchReport, Recipe, allographs::STYLES};
use super::trainer::{EpochStats, Evaluation};
use crate::onnx::contract::CLASSES;

/// Everything `model/metrics.json` records about a run.
#[derive(Debug, Serialize)]
pub struct Metrics<'a> {
    pub test_accuracy: f64,
    pub test_error_percent: f64,
    pub per_class_accuracy: [f64; CLASSES],
    /// `confusion[true][predicted]` on the 10,000 MNIST test digits.
    pub confusion: [[u32; CLASSES]; CLASSES],
    pub epochs: usize,
    pub seed: u64,
    pub c3: &'a str,
    pub batch_size: usize,
    pub lr: f32,
    pub augmentation: bool,
    pub threads: usize,
    pub wall_time_seconds: f64,
    pub seconds_per_epoch: f64,
    /// First epoch after which the test accuracy reached 99%, and the seconds it took.
    pub reached_99_percent: Option<(usize, f64)>,
    pub git_commit: String,
    pub onnx_bytes: usize,
    pub onnx_check: OnnxCheck,
    /// The generated drawings added to MNIST each epoch.
    pub recipe: Recipe,
    /// The exported weights on the generated evaluation sets.
    pub drawn: DrawnMetrics,
    pub history: &'a [EpochStats],
}

/// Results on the generated evaluation sets ([`super::synth::Bench`]).
#[derive(Debug, Serialize)]
pub struct DrawnMetrics {
    pub accuracy: f64,
    pub per_style: std::collections::BTreeMap<&'static str, f64>,
    /// Digits vs non-digits by the top probability.
    pub nondigit_auroc: f64,
}

impl DrawnMetrics {
    pub fn from(report: &BenchReport) -> Self {
        DrawnMetrics {
            accuracy: report.drawn_accuracy,
            per_style: STYLES
                .iter()
                .map(|s| s.name)
                .zip(report.per_style.iter().copied())
                .collect(),
            nondigit_auroc: report.auroc,
        }
    }
}

/// The exported file, reloaded with tract, compared with the trainer.
#[derive(Debug, Serialize)]
pub struct OnnxCheck {
    pub tract_test_accuracy: f64,
    pub max_abs_diff_probabilities: f32,
    pub digits_compared: usize,
}

/// The current commit, or "unknown" outside a git checkout.
pub fn git_commit() -> String {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let mut s = String::from_utf8_lossy(&o.stdout).trim().to_string();
            let dirty = std::process::Command::new("git")
                .args(["status", "--porcelain", "--untracked-files=no"])
                .output()
                .map(|o| !o.stdout.is_empty())
                .unwrap_or(false);
            if dirty {
                s.push_str("-dirty");
            }
            s
        }
        _ => "unknown".into(),
    }
}

/// The report's title: the network, its MNIST test accuracy, epochs and training data.
pub fn title(c3: &str, accuracy: f64, epochs: usize, recipe: &Recipe) -> String {
    format!(
        "LeNet-5 (C3 {c3}): {:.2}% MNIST test accuracy after {epochs} epochs ({})",
        100.0 * accuracy,
        if recipe.total() > 0 {
            "MNIST + generated drawings"
        } else {
            "MNIST only"
        }
    )
}

/// Draws loss, MNIST test accuracy and the drawn-digit and non-digit measures by epoch, and
/// the confusion matrix, into an SVG file: a picture people read at a glance (every row and
/// column of the matrix labelled at its centre, whole epochs on the x axes, axis titles clear
/// of the tick labels).
pub fn plot(path: &Path, history: &[EpochStats], eval: &Evaluation, title: &str) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("could not draw {}: {e}", path.display());
    let root = SVGBackend::new(path, (1100, 780)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let root = root.titled(title, ("sans-serif", 20)).map_err(|e| err(&e))?;
    let (left, right) = root.split_horizontally(600);
    let (top, rest) = left.split_vertically(240);
    let (middle, bottom) = rest.split_vertically(250);
    let max_loss = history.iter().map(|h| h.train_loss).fold(0.0, f64::max).max(1e-3) * 1.1;
    let losses: Vec<(usize, f64)> = history.iter().map(|h| (h.epoch, h.train_loss)).collect();
    by_epoch(
        &top,
        "training loss (every training example)",
        0.0..max_loss,
        &[("", &losses, BLUE)],
        false,
    )
    .map_err(|e| err(&e))?;
    let accs: Vec<(usize, f64)> = history.iter().map(|h| (h.epoch, 100.0 * h.test_accuracy)).collect();
    let lo = accs.iter().map(|a| a.1).fold(100.0, f64::min).clamp(90.0, 99.0) - 0.2;
    by_epoch(&middle, "MNIST test accuracy (%)", lo..100.0, &[("", &accs, RED)], true).map_err(|e| err(&e))?;
    let drawn: Vec<(usize, f64)> = history
        .iter()
        .filter_map(|h| Some((h.epoch, 100.0 * h.drawn_accuracy?)))
        .collect();
    let auroc: Vec<(usize, f64)> = history
        .iter()
        .filter_map(|h| Some((h.epoch, 100.0 * h.nondigit_auroc?)))
        .collect();
    let lo = drawn
        .iter()
        .chain(&auroc)
        .map(|a| a.1)
        .fold(100.0, f64::min)
        .clamp(50.0, 99.0)
        - 0.5;
    by_epoch(
        &bottom,
        "generated drawings, held-out seeds (%)",
        lo..100.0,
        &[
            ("drawn digits read right", &drawn, RGBColor(0, 120, 60)),
            ("non-digit AUROC x 100", &auroc, RGBColor(150, 60, 170)),
        ],
        true,
    )
    .map_err(|e| err(&e))?;

    confusion(&right, eval).map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// A line of a chart: its legend, its (epoch, value) points, its colour.
type Series<'a> = (&'a str, &'a [(usize, f64)], RGBColor);

/// Values by epoch as lines (with a dot per epoch if `dots`), a legend when there are several:
/// whole epochs on the x axis, its title clear of the tick labels.
fn by_epoch<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    y: std::ops::Range<f64>,
    series: &[Series<'_>],
    dots: bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let epochs = series.iter().map(|s| s.1.len()).max().unwrap_or(0).max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .caption(caption, ("sans-serif", 15))
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.5f64..epochs + 0.5, y)?;
    chart
        .configure_mesh()
        .x_labels((epochs as usize).clamp(2, 20))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("epoch")
        .draw()?;
    for &(name, points, color) in series {
        let xy = points.iter().map(|&(e, v)| (e as f64, v));
        let line = chart.draw_series(LineSeries::new(xy.clone(), color.stroke_width(2)))?;
        if series.len() > 1 {
            line.label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        }
        if dots {
            chart.draw_series(xy.map(|p| Circle::new(p, 3, color.filled())))?;
        }
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()?;
    }
    Ok(())
}

/// The confusion matrix as a table of cells in pixels: each cell's count at its centre, each
/// row's true digit and each column's predicted digit beside its middle. The diagonal is green;
/// an error cell is redder the more digits it holds.
fn confusion<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    eval: &Evaluation,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let centred = |size: i32| {
        ("sans-serif", size)
            .into_font()
            .into_text_style(area)
            .pos(Pos::new(HPos::Center, VPos::Center))
    };
    area.draw(&Text::new(
        "confusion matrix: rows true digit, columns predicted",
        (w / 2, 14),
        centred(14),
    ))?;
    // Room for the column header above and the row header at the left.
    let cell = ((w - 70).min(h - 80) / CLASSES as i32).max(1);
    let (x0, y0) = (50, 74);
    area.draw(&Text::new("predicted", (x0 + cell * 5, y0 - 34), centred(12)))?;
    area.draw(&Text::new("true", (x0 - 14, y0 - 34), centred(12)))?;
    let max_off = (0..CLASSES)
        .flat_map(|t| (0..CLASSES).filter(move |&p| p != t).map(move |p| eval.confusion[t][p]))
        .max()
        .unwrap_or(1)
        .max(1);
    for k in 0..CLASSES as i32 {
        let label = format!("{k}");
        area.draw(&Text::new(
            label.clone(),
            (x0 + k * cell + cell / 2, y0 - 12),
            centred(13),
        ))?;
        area.draw(&Text::new(label, (x0 - 14, y0 + k * cell + cell / 2), centred(13)))?;
    }
    for t in 0..CLASSES {
        for p in 0..CLASSES {
            let v = eval.confusion[t][p];
            let color = if t == p {
                RGBColor(200, 230, 200)
            } else if v == 0 {
                WHITE
            } else {
                let shade = 0.25 + 0.75 * f64::from(v) / f64::from(max_off);
                let c = (255.0 * (1.0 - 0.75 * shade)) as u8;
                RGBColor(255, c, c)
            };
            let (x, y) = (x0 + p as i32 * cell, y0 + t as i32 * cell);
            area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], color.filled()))?;
            area.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], RGBColor(220, 220, 220)))?;
            area.draw(&Text::new(
                format!("{v}"),
                (x + cell / 2, y + cell / 2),
                centred(if t == p { 11 } else { 12 }),
            ))?;
        }
    }
    Ok(())
}
