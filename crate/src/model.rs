//! The LeNet-5 ONNX model behind tract: load once, check the contract, run many times.
//!
//! The contract with any model the page loads (ours or a user's):
//! input `input`, float32 `[N,1,32,32]` (0 = background, 1 = ink);
//! output `probabilities`, float32 `[N,10]`, a softmax.
//! We pin N = 1 before optimising: concrete shapes let tract pick its fastest kernels
//! (about a third faster than a symbolic batch), and the page only ever needs one digit.
//!
//! Two ways to the plan: [`crate::direct_load`] builds a LeNet-shaped graph directly (the
//! browser's way: no analysis, no optimiser), tract's general path (feature `general`) any
//! graph of the accepted operators. The contract checks below run first, for both.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::plan::SimpleState;

use crate::error::Error;

/// Side of the square network input.
pub const INPUT_SIDE: usize = 32;
/// Number of pixels in one network input.
pub const INPUT_LEN: usize = INPUT_SIDE * INPUT_SIDE;
/// Number of classes (digits 0-9).
pub const CLASSES: usize = 10;
/// Name of the input the contract requires.
pub const INPUT_NAME: &str = "input";
/// Name of the output the contract requires.
pub const OUTPUT_NAME: &str = "probabilities";

type Plan = TypedSimplePlan;
type State = SimpleState<TypedFact, Box<dyn TypedOp>>;

/// How the error of a module built without tract's general path (no feature `general`: the
/// page's small module) begins when a model needs it; the page then loads the other module.
pub const NEEDS_GENERAL: &str = "this model needs the general engine";

/// A loaded, optimised LeNet-5 with a reusable execution state.
pub struct Model {
    /// Kept so the state's plan outlives it and for introspection.
    _plan: Arc<Plan>,
    state: State,
    /// Metadata props of the ONNX file (accuracy, seed, …), for display.
    metadata: Vec<(String, String)>,
    /// The C1 and C3 activations, if the model has such layers: their ONNX value names,
    /// the unoptimised graph to build a plan from, and that plan once built.
    maps: Option<MapsSource>,
    /// Why [`crate::direct_load`] did not build it (`None`: it did).
    general_because: Option<String>,
}

/// Where the feature maps come from: the same parsed graph, with intermediate outputs.
struct MapsSource {
    names: [String; 2],
    graph: MapsGraph,
    state: Option<State>,
}

/// The graph a model was loaded from, by path.
enum MapsGraph {
    /// tract's general path: the analysed graph, before optimising.
    #[cfg(feature = "general")]
    General(InferenceModel),
    /// [`crate::direct_load`]: the built graph and the outlets of the two layers.
    Direct(TypedModel, [OutletId; 2]),
}

/// One layer's activations for one digit: `channels` maps of `height` x `width`, channel-major.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FeatureMap {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub data: Vec<f32>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Parses ONNX bytes, checks the contract, and builds the plan for one 32x32 digit.
    ///
    /// In WebAssembly a LeNet-style graph is built directly ([`crate::direct_load`]: the
    /// page's model loads without tract's analysis and optimiser); natively, and for any
    /// graph that module does not take, tract's general path builds it (natively, tract's
    /// convolution kernels beat ours: see [`crate::rewrite::apply`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::load(bytes, cfg!(any(target_arch = "wasm32", not(feature = "general"))))
    }

    /// [`Model::from_bytes`] with the direct path tried on any target (tests, benchmarks).
    pub fn from_bytes_direct(bytes: &[u8]) -> Result<Self, Error> {
        Self::load(bytes, true)
    }

    /// Why the direct path did not build this model (`None` if it did), in words.
    pub fn general_path_reason(&self) -> Option<&str> {
        self.general_because.as_deref()
    }

    fn load(bytes: &[u8], direct: bool) -> Result<Self, Error> {
        if bytes.is_empty() {
            return Err(Error::Model("the model file is empty".into()));
        }
        let proto = <tract_onnx::pb::ModelProto as prost::Message>::decode(bytes)
            .map_err(|e| Error::Model(format!("not a readable ONNX file ({e})")))?;
        let graph = proto
            .graph
            .as_ref()
            .ok_or_else(|| Error::Model("the ONNX file has no graph".into()))?;
        check_declared_io(graph)?;
        let unknown = crate::operators::unsupported(graph);
        if !unknown.is_empty() {
            return Err(Error::Model(format!(
                "the model uses operators this recognizer does not run: {} (it runs {})",
                unknown.join(", "),
                crate::operators::SUPPORTED.join(", ")
            )));
        }
        let metadata: Vec<(String, String)> = proto
            .metadata_props
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect();

        if direct {
            return match crate::direct_load::build(&proto) {
                Ok(built) => Self::from_direct(built, metadata, graph),
                Err(why) => Self::general(&proto, metadata, why),
            };
        }
        Self::general(&proto, metadata, "the direct path is for WebAssembly".into())
    }

    /// tract's general path: tract-hir's analysis, our rewrites, tract's optimiser.
    #[cfg(feature = "general")]
    fn general(
        proto: &tract_onnx::pb::ModelProto,
        metadata: Vec<(String, String)>,
        why: String,
    ) -> Result<Self, Error> {
        let graph = proto
            .graph
            .as_ref()
            .ok_or_else(|| Error::Model("the ONNX file has no graph".into()))?;
        let model = crate::onnx_ops::onnx()
            .model_for_proto_model(proto)
            .map_err(|e| Error::Model(format!("the ONNX graph could not be loaded ({})", root_cause(&e))))?;
        let model = model
            .with_input_fact(0, f32::fact([1, 1, INPUT_SIDE, INPUT_SIDE]).into())
            .map_err(|e| {
                Error::Model(format!(
                    "the model does not accept a float32 [1,1,32,32] input ({})",
                    root_cause(&e)
                ))
            })?;
        let maps = feature_map_names(graph).map(|names| MapsSource {
            names,
            graph: MapsGraph::General(model.clone()),
            state: None,
        });
        let model = optimise(model).map_err(|e| {
            Error::Model(format!(
                "the model does not accept a float32 [1,1,32,32] input ({})",
                root_cause(&e)
            ))
        })?;
        let mut loaded = Self::from_typed(model, metadata, maps)?;
        loaded.general_because = Some(why);
        loaded.check_runs()?;
        Ok(loaded)
    }

    /// Built without tract's general path (the page's small module): a graph the direct
    /// path does not take needs the module that has it ([`NEEDS_GENERAL`]).
    #[cfg(not(feature = "general"))]
    fn general(_: &tract_onnx::pb::ModelProto, _: Vec<(String, String)>, why: String) -> Result<Self, Error> {
        Err(Error::Model(format!("{NEEDS_GENERAL} ({why})")))
    }

    /// The model from [`crate::direct_load`]'s graph. It computes what tract's would, so a
    /// model that fails here (output shape, a run that gives no probabilities) is broken on
    /// either path, with the same message.
    fn from_direct(
        built: crate::direct_load::Built,
        metadata: Vec<(String, String)>,
        graph: &tract_onnx::pb::GraphProto,
    ) -> Result<Self, Error> {
        let maps = feature_map_names(graph).and_then(|names| {
            let outlets = [built.outlets.get(&names[0])?, built.outlets.get(&names[1])?];
            Some(MapsSource {
                graph: MapsGraph::Direct(built.model.clone(), [*outlets[0], *outlets[1]]),
                names,
                state: None,
            })
        });
        let mut loaded = Self::from_typed(built.model, metadata, maps)?;
        loaded.check_runs()?;
        Ok(loaded)
    }

    /// Checks the output contract of an optimised (or directly built) graph and plans it.
    fn from_typed(model: TypedModel, metadata: Vec<(String, String)>, maps: Option<MapsSource>) -> Result<Self, Error> {
        let out_fact = model
            .output_fact(0)
            .map_err(|e| Error::Model(format!("the model has no output ({})", root_cause(&e))))?;
        let out_shape = out_fact.shape.as_concrete().map(|s| s.to_vec());
        if out_fact.datum_type != f32::datum_type() || out_shape.as_deref() != Some(&[1, CLASSES][..]) {
            return Err(Error::Model(format!(
                "the model's output must be float32 [N,10] probabilities, but it is {:?} {:?}",
                out_fact.datum_type, out_fact.shape
            )));
        }
        let plan = model
            .into_runnable()
            .map_err(|e| Error::Model(format!("the model could not be planned ({})", root_cause(&e))))?;
        let state = SimpleState::new(&plan)
            .map_err(|e| Error::Model(format!("the model could not be prepared ({})", root_cause(&e))))?;
        Ok(Model {
            _plan: plan,
            state,
            metadata,
            maps,
            general_because: None,
        })
    }

    /// ONNX metadata props (key, value), e.g. `accuracy`, `seed`, `c3`.
    pub fn metadata(&self) -> &[(String, String)] {
        &self.metadata
    }

    /// Runs the network on one 32x32 input (row-major, 0 = background, 1 = ink).
    pub fn predict(&mut self, input: &[f32]) -> Result<[f32; CLASSES], Error> {
        check_input(input)?;
        let tensor = Tensor::from_shape(&[1, 1, INPUT_SIDE, INPUT_SIDE], input)
            .map_err(|e| Error::Internal(format!("input tensor: {e}")))?;
        let outputs = self
            .state
            .run(tvec![tensor.into_tvalue()])
            .map_err(|e| Error::Internal(format!("inference failed: {}", root_cause(&e))))?;
        let output = outputs
            .first()
            .ok_or_else(|| Error::Internal("the model returned no output".into()))?;
        let view = output
            .try_as_plain_ram()
            .and_then(|v| v.as_slice::<f32>())
            .map_err(|e| Error::Internal(format!("output is not float32: {e}")))?;
        let mut probs = [0f32; CLASSES];
        if view.len() != CLASSES {
            return Err(Error::Internal(format!(
                "the model returned {} values, not 10",
                view.len()
            )));
        }
        probs.copy_from_slice(view);
        // A model that passed its checks only gives NaN or infinities for inputs far outside
        // the contract's 0..1 (huge values overflow float32 on the way): say so, don't pass them on.
        if probs.iter().any(|p| !p.is_finite()) {
            return Err(Error::Input(
                "the network input is too far outside 0..1: the probabilities overflowed".into(),
            ));
        }
        Ok(probs)
    }

    /// Whether the model has convolution layers whose activations [`Model::feature_maps`] can show.
    pub fn has_feature_maps(&self) -> bool {
        self.maps.is_some()
    }

    /// The activations of the first two convolution layers (C1 and C3 in LeNet-5, after their
    /// activation function) for one 32x32 input, read from the same graph as [`Model::predict`].
    ///
    /// The plan with these intermediate outputs is built on first use, so a page that never
    /// shows the maps never pays for it, and `predict` keeps its single-output plan.
    pub fn feature_maps(&mut self, input: &[f32]) -> Result<[FeatureMap; 2], Error> {
        check_input(input)?;
        let Some(maps) = self.maps.as_mut() else {
            return Err(Error::Model(
                "this model has no convolution layers whose feature maps could be shown".into(),
            ));
        };
        if maps.state.is_none() {
            let build = || -> TractResult<State> {
                let plan = match &maps.graph {
                    #[cfg(feature = "general")]
                    MapsGraph::General(graph) => {
                        let mut graph = graph.clone();
                        graph.select_outputs_by_name(maps.names.iter())?;
                        optimise(graph)?.into_runnable()?
                    }
                    MapsGraph::Direct(graph, outlets) => {
                        let mut graph = graph.clone();
                        graph.select_output_outlets(outlets)?;
                        graph.into_runnable()?
                    }
                };
                SimpleState::new(&plan)
            };
            let state = build()
                .map_err(|e| Error::Model(format!("the feature maps could not be prepared ({})", root_cause(&e))))?;
            maps.state = Some(state);
        }
        let state = maps
            .state
            .as_mut()
            .ok_or_else(|| Error::Internal("no feature-map plan".into()))?;
        let tensor = Tensor::from_shape(&[1, 1, INPUT_SIDE, INPUT_SIDE], input)
            .map_err(|e| Error::Internal(format!("input tensor: {e}")))?;
        let outputs = state
            .run(tvec![tensor.into_tvalue()])
            .map_err(|e| Error::Internal(format!("inference failed: {}", root_cause(&e))))?;
        let read = |k: usize| -> Result<FeatureMap, Error> {
            let t = outputs
                .get(k)
                .ok_or_else(|| Error::Internal("a feature map is missing".into()))?;
            let data = t
                .try_as_plain_ram()
                .and_then(|v| v.as_slice::<f32>())
                .map_err(|e| Error::Internal(format!("feature map is not float32: {e}")))?;
            match *t.shape() {
                [1, channels, height, width] => Ok(FeatureMap {
                    channels,
                    height,
                    width,
                    data: data.to_vec(),
                }),
                ref other => Err(Error::Model(format!(
                    "the layer `{}` has shape {other:?}, not [1,C,H,W]",
                    maps.names[k]
                ))),
            }
        };
        Ok([read(0)?, read(1)?])
    }

    /// A model can have the right shapes and still be broken (NaN weights, no softmax):
    /// run it once on a blank input and check that it returns a probability distribution.
    fn check_runs(&mut self) -> Result<(), Error> {
        let mut probe = [0f32; INPUT_LEN];
        // A plus sign in the middle: some ink, so that a NaN weight anywhere shows up.
        for i in 8..24 {
            probe[16 * INPUT_SIDE + i] = 1.0;
            probe[i * INPUT_SIDE + 16] = 1.0;
        }
        for input in [[0f32; INPUT_LEN], probe] {
            let p = self
                .predict(&input)
                .map_err(|e| Error::Model(format!("the model fails to run: {e}")))?;
            let sum: f32 = p.iter().sum();
            if p.iter().any(|v| !v.is_finite() || *v < -1e-4) || (sum - 1.0).abs() > 1e-3 {
                return Err(Error::Model(format!(
                    "the model's output is not a probability distribution (softmax): {p:?}"
                )));
            }
        }
        Ok(())
    }
}

/// tract's optimiser, after our equivalent, faster forms of the graph ([`crate::rewrite`]).
#[cfg(feature = "general")]
fn optimise(model: InferenceModel) -> TractResult<TypedModel> {
    let mut typed = model.into_typed()?;
    crate::rewrite::apply(&mut typed)?;
    typed.into_optimized()
}

fn check_input(input: &[f32]) -> Result<(), Error> {
    if input.len() != INPUT_LEN {
        return Err(Error::Input(format!(
            "the network input must hold {INPUT_LEN} values (32x32), got {}",
            input.len()
        )));
    }
    if let Some(i) = input.iter().position(|v| !v.is_finite()) {
        return Err(Error::Input(format!(
            "the network input holds a non-finite value ({}) at index {i}",
            input[i]
        )));
    }
    Ok(())
}

/// The ONNX value names of the first two convolutions' activations (C1 and C3 in LeNet-5).
///
/// Our exporter names them `c1_relu` and `c3_relu`; for other models, the output of the first two
/// `Conv` nodes, taken after an element-wise activation that directly follows (ONNX lists nodes
/// in topological order). `None` if the graph has fewer than two convolutions.
fn feature_map_names(graph: &tract_onnx::pb::GraphProto) -> Option<[String; 2]> {
    let named = |n: &str| graph.node.iter().find(|node| node.name == n)?.output.first().cloned();
    if let (Some(c1), Some(c3)) = (named("c1_relu"), named("c3_relu")) {
        return Some([c1, c3]);
    }
    const ACTIVATIONS: [&str; 5] = ["Relu", "Tanh", "Sigmoid", "LeakyRelu", "Clip"];
    let mut convs = graph.node.iter().filter(|n| n.op_type == "Conv").filter_map(|conv| {
        let out = conv.output.first()?;
        let users: Vec<_> = graph.node.iter().filter(|n| n.input.iter().any(|i| i == out)).collect();
        match users.as_slice() {
            [act] if ACTIVATIONS.contains(&act.op_type.as_str()) => act.output.first().cloned(),
            _ => Some(out.clone()),
        }
    });
    Some([convs.next()?, convs.next()?])
}

/// Checks the declared graph inputs/outputs by name and rank before tract analyses the graph,
/// so a user who drops the wrong file gets a message about the contract, not about tract.
fn check_declared_io(graph: &tract_onnx::pb::GraphProto) -> Result<(), Error> {
    let initializers: std::collections::HashSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let inputs: Vec<&tract_onnx::pb::ValueInfoProto> = graph
        .input
        .iter()
        .filter(|i| !initializers.contains(i.name.as_str()))
        .collect();
    let [input] = inputs.as_slice() else {
        return Err(Error::Model(format!(
            "the model must have exactly one input named `{INPUT_NAME}`, it has {}",
            inputs.len()
        )));
    };
    if input.name != INPUT_NAME {
        return Err(Error::Model(format!(
            "the model's input is named `{}`, expected `{INPUT_NAME}` [N,1,32,32]",
            input.name
        )));
    }
    if let Some(dims) = declared_dims(input) {
        let ok = dims.len() == 4 && dims[1..].iter().zip([1, 32, 32]).all(|(d, e)| d.is_none_or(|d| d == e));
        if !ok {
            return Err(Error::Model(format!(
                "wrong input shape {}: expected [N,1,32,32]",
                show_dims(&dims)
            )));
        }
    }
    let Some(output) = graph.output.first() else {
        return Err(Error::Model("the model declares no output".into()));
    };
    if graph.output.len() != 1 || output.name != OUTPUT_NAME {
        return Err(Error::Model(format!(
            "the model must have one output named `{OUTPUT_NAME}` [N,10], it has {:?}",
            graph.output.iter().map(|o| o.name.as_str()).collect::<Vec<_>>()
        )));
    }
    // tract's ONNX parser panics on an output that nothing computes (found by fuzzing).
    let computed = graph.node.iter().any(|n| n.output.iter().any(|o| o == OUTPUT_NAME))
        || graph.input.iter().any(|i| i.name == OUTPUT_NAME)
        || graph.initializer.iter().any(|t| t.name == OUTPUT_NAME);
    if !computed {
        return Err(Error::Model(format!(
            "no node of the model computes its output `{OUTPUT_NAME}`"
        )));
    }
    if let Some(dims) = declared_dims(output) {
        let ok = dims.len() == 2 && dims[1].is_none_or(|d| d == CLASSES as i64);
        if !ok {
            return Err(Error::Model(format!(
                "wrong output shape {}: expected [N,10]",
                show_dims(&dims)
            )));
        }
    }
    check_order(graph)?;
    check_weights(graph)
}

/// ONNX lists nodes in topological order: each input is a graph input, an initializer or an
/// earlier node's output. tract's shape inference panics on a node that feeds itself (found by
/// fuzzing), so refuse any node that reads a value not computed before it.
fn check_order(graph: &tract_onnx::pb::GraphProto) -> Result<(), Error> {
    let mut known: std::collections::HashSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
    known.extend(graph.initializer.iter().map(|t| t.name.as_str()));
    for node in &graph.node {
        if let Some(missing) = node.input.iter().find(|i| !i.is_empty() && !known.contains(i.as_str())) {
            return Err(Error::Model(format!(
                "the node `{}` ({}) reads `{missing}` before any node computes it",
                node.name, node.op_type
            )));
        }
        known.extend(node.output.iter().map(|o| o.as_str()));
    }
    Ok(())
}

/// NaN or infinite weights can hide behind a ReLU on one probe input and surface on another:
/// refuse them up front.
fn check_weights(graph: &tract_onnx::pb::GraphProto) -> Result<(), Error> {
    // tract panics on a string tensor stored as raw bytes (`unimplemented!`; found by fuzzing),
    // and a LeNet has no strings: refuse them all, in initializers and in Constant nodes.
    let string = tract_onnx::pb::tensor_proto::DataType::String as i32;
    let attributes = graph
        .node
        .iter()
        .flat_map(|n| &n.attribute)
        .flat_map(|a| a.t.iter().chain(&a.tensors));
    if let Some(t) = graph
        .initializer
        .iter()
        .chain(attributes)
        .find(|t| t.data_type == string)
    {
        return Err(Error::Model(format!(
            "the tensor `{}` holds strings, not numbers",
            t.name
        )));
    }
    let float = tract_onnx::pb::tensor_proto::DataType::Float as i32;
    let float16 = tract_onnx::pb::tensor_proto::DataType::Float16 as i32;
    for t in graph
        .initializer
        .iter()
        .filter(|t| t.data_type == float || t.data_type == float16)
    {
        let values: Box<dyn Iterator<Item = f32>> = if t.data_type == float {
            Box::new(
                t.raw_data
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .chain(t.float_data.iter().copied()),
            )
        } else {
            // float16 comes as raw bytes or as bit patterns in int32_data.
            Box::new(
                t.raw_data
                    .chunks_exact(2)
                    .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                    .chain(t.int32_data.iter().map(|&v| half::f16::from_bits(v as u16).to_f32())),
            )
        };
        if values.into_iter().any(|v| !v.is_finite()) {
            return Err(Error::Model(format!(
                "the weights `{}` contain NaN or infinite values: the file is corrupt or the training diverged",
                t.name
            )));
        }
    }
    Ok(())
}

/// The declared dims of a value (`None` per symbolic dim), or `None` if no shape is declared.
fn declared_dims(value: &tract_onnx::pb::ValueInfoProto) -> Option<Vec<Option<i64>>> {
    use tract_onnx::pb::{tensor_shape_proto::dimension::Value, type_proto::Value as TypeValue};
    let TypeValue::TensorType(t) = value.r#type.as_ref()?.value.as_ref()?;
    let shape = t.shape.as_ref()?;
    Some(
        shape
            .dim
            .iter()
            .map(|d| match d.value {
                Some(Value::DimValue(v)) => Some(v),
                _ => None,
            })
            .collect(),
    )
}

fn show_dims(dims: &[Option<i64>]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.map_or("N".into(), |v| v.to_string())).collect();
    format!("[{}]", parts.join(","))
}

/// tract errors come as a chain of contexts; the innermost one is what a user can act on.
fn root_cause(e: &TractError) -> String {
    let first = e.to_string();
    match e.root_cause().to_string() {
        root if root != first => format!("{first}: {root}"),
        _ => first,
    }
}
