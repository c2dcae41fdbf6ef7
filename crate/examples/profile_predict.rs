//! Where `predict`'s time goes, natively: the optimised tract graph and each node's share.
//! `cargo run --release --example profile_predict -- [model.onnx]`. For before/after:
//! `TRACT_POOL=1` keeps tract's own MaxPool instead of `fast_pool`, `TRACT_DIRECT=1` tract's
//! convolutions instead of `direct_conv` (which the library itself installs only in wasm).
//! `scripts/profile-predict.sh` also runs it as wasm under Node (V8, the browser's engine),
//! with a per-node timer that is not coarse.
use std::time::Instant;
use tract_onnx::prelude::*;

fn main() -> TractResult<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "model/lenet5.onnx".into());
    let bytes = std::fs::read(&path)?;
    let t = Instant::now();
    let onnx = lenet5::infer::general::registry::onnx();
    let proto = onnx.proto_model_for_read(&mut std::io::Cursor::new(&bytes))?;
    let t_parse = t.elapsed();
    let typed = onnx
        .model_for_proto_model(&proto)?
        .with_input_fact(0, f32::fact([1, 1, 32, 32]).into())?
        .into_typed()?;
    let t_typed = t.elapsed();
    let _ = typed.clone().into_optimized()?;
    let t_opt = t.elapsed();
    let _ = lenet5::Model::from_bytes(&bytes).map_err(|e| TractError::msg(e.to_string()))?;
    let t_model = t.elapsed();
    println!(
        "load: parse {:.2} ms, analyse+typed {:.2} ms, optimise {:.2} ms; Model::from_bytes {:.2} ms",
        t_parse.as_secs_f64() * 1e3,
        (t_typed - t_parse).as_secs_f64() * 1e3,
        (t_opt - t_typed).as_secs_f64() * 1e3,
        (t_model - t_opt).as_secs_f64() * 1e3
    );
    let mut model = typed;
    let off = |var: &str| !std::env::var(var).unwrap_or_default().is_empty();
    if !off("TRACT_DIRECT") {
        lenet5::infer::general::rewrite::install_convs(&mut model)?;
    }
    if !off("TRACT_POOL") {
        lenet5::infer::general::rewrite::install_pools(&mut model)?;
    }
    let model = if off("DIRECT") {
        // What the browser runs: the direct plan's graph, not optimised by tract.
        let checked = lenet5::onnx::read::read(&bytes).map_err(TractError::msg)?;
        let layers = lenet5::onnx::Layers::parse(&checked).map_err(TractError::msg)?;
        lenet5::infer::direct::build(&layers)?.model
    } else {
        model.into_optimized()?
    };
    println!("{model}");
    for node in model.nodes() {
        if let Some(op) = node.op_as::<lenet5::infer::ops::conv::DirectConv>() {
            let g = op.geometry();
            let [oh, ow] = g.output().unwrap();
            let x: Vec<f32> = (0..g.input.iter().product()).map(|i| (i % 7) as f32 * 0.1).collect();
            let mut out = vec![0f32; g.maps * oh * ow];
            let t = Instant::now();
            for _ in 0..20_000 {
                op.run(&x, 1, &mut out)?;
            }
            println!(
                "{}: {}; run() alone {:.2} us",
                node.name,
                op.info()?.join(", "),
                t.elapsed().as_secs_f64() * 1e6 / 20_000.0
            );
        }
    }
    let plan = model.into_runnable()?;
    let mut state = tract_onnx::tract_core::plan::SimpleState::new(&plan)?;
    let input: Vec<f32> = (0..1024).map(|i| ((i * 7919) % 255) as f32 / 255.0).collect();
    let x = || Ok::<_, TractError>(tvec![Tensor::from_shape(&[1, 1, 32, 32], &input)?.into_tvalue()]);
    let n = 20_000;
    for _ in 0..2000 {
        state.run(x()?)?;
    }
    let t = Instant::now();
    for _ in 0..n {
        state.run(x()?)?;
    }
    println!("predict: {:.2} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let mut times = vec![0f64; plan.model().nodes().len()];
    for _ in 0..n {
        state.run_plan_with_eval(x()?, |s, op, node, inputs| {
            let t = Instant::now();
            let r = tract_onnx::tract_core::plan::eval(s, op, node, inputs);
            times[node.id] += t.elapsed().as_secs_f64();
            r
        })?;
    }
    for node in plan.model().nodes() {
        println!(
            "{:>8.2} us  {} {}",
            times[node.id] * 1e6 / n as f64,
            node.name,
            node.op.name()
        );
    }
    println!("sum {:.2} us", times.iter().sum::<f64>() * 1e6 / n as f64);
    Ok(())
}
