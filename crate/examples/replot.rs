//! Redraws a run's `training.svg` from its `metrics.json` (history and confusion matrix), without
//! training again: `cargo run --release --example replot [-- model/metrics.json model/training.svg]`.

use lenet5::onnx::contract::CLASSES;
use lenet5::train::report;
use lenet5::train::trainer::{EpochStats, Evaluation};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let metrics = args.next().unwrap_or_else(|| "model/metrics.json".into());
    let out = args.next().unwrap_or_else(|| "model/training.svg".into());
    let text = std::fs::read_to_string(&metrics).map_err(|e| format!("{metrics}: {e}"))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{metrics}: {e}"))?;
    let history: Vec<EpochStats> =
        serde_json::from_value(json["history"].clone()).map_err(|e| format!("{metrics}: history: {e}"))?;
    let confusion: [[u32; CLASSES]; CLASSES] =
        serde_json::from_value(json["confusion"].clone()).map_err(|e| format!("{metrics}: confusion: {e}"))?;
    let accuracy = json["test_accuracy"].as_f64().ok_or("no test_accuracy")?;
    let c3 = json["c3"].as_str().unwrap_or("full");
    let recipe: lenet5::train::synth::Recipe = serde_json::from_value(json["recipe"].clone()).unwrap_or_default();
    let title = report::title(c3, accuracy, history.len(), &recipe);
    let eval = Evaluation {
        accuracy,
        confusion,
        loss: f64::NAN,
    };
    report::plot(std::path::Path::new(&out), &history, &eval, &title)?;
    println!("wrote {out}");
    Ok(())
}
