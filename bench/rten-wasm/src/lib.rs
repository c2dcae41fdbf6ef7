//! `load(bytes)` then `predict(Float32Array(1024)) -> Float32Array(10)`: the same contract as our
//! `Recognizer.predict` (input `input` [1,1,32,32], output `probabilities` [1,10]).

use std::cell::RefCell;

use rten::{Model, ModelOptions, NodeId};
use rten_tensor::prelude::*;
use rten_tensor::{NdTensor, NdTensorView};
use wasm_bindgen::prelude::*;

struct Loaded {
    model: Model,
    input: NodeId,
    output: NodeId,
}

thread_local! {
    static MODEL: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

fn options() -> ModelOptions {
    if cfg!(feature = "all-ops") {
        ModelOptions::with_all_ops()
    } else {
        // Only what LeNet-5 needs (Cast and Mul turn its int8 weights into float32): the rest
        // of rten's operators are dropped at link time.
        ModelOptions::with_ops(rten::op_registry!(Cast, Conv, Relu, MaxPool, Flatten, Gemm, Mul, Softmax))
    }
}

/// Parses and optimises an ONNX model (a `Uint8Array`); replaces any model loaded before.
#[wasm_bindgen]
pub fn load(bytes: Vec<u8>) -> Result<(), JsError> {
    let model = options().load(bytes).map_err(|e| JsError::new(&e.to_string()))?;
    let input = model.node_id("input").map_err(|e| JsError::new(&e.to_string()))?;
    let output = model
        .node_id("probabilities")
        .map_err(|e| JsError::new(&e.to_string()))?;
    MODEL.with(|m| *m.borrow_mut() = Some(Loaded { model, input, output }));
    Ok(())
}

/// Runs the network on one 32x32 input (`Float32Array(1024)`); returns `Float32Array(10)`.
#[wasm_bindgen]
pub fn predict(input: &[f32]) -> Result<Vec<f32>, JsError> {
    if input.len() != 32 * 32 {
        return Err(JsError::new(&format!("expected 1024 floats, got {}", input.len())));
    }
    MODEL.with(|m| {
        let m = m.borrow();
        let loaded = m.as_ref().ok_or_else(|| JsError::new("call load() first"))?;
        let x = NdTensorView::from_data([1, 1, 32, 32], input);
        let [y] = loaded
            .model
            .run_n(vec![(loaded.input, x.into())], [loaded.output], None)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let y: NdTensor<f32, 2> = y
            .try_into()
            .map_err(|e: rten::TryFromValueError| JsError::new(&e.to_string()))?;
        Ok(y.to_vec())
    })
}
