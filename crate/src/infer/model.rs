//! A loaded model behind tract: checked once, planned once, run many times with one reused
//! state. We pin N = 1 before planning: concrete shapes let tract pick its fastest kernels,
//! and the page only ever needs one digit.
//!
//! Two ways to the plan, after [`crate::onnx::read::read`] has checked the contract:
//! [`super::direct`] builds a LeNet-shaped graph of our ops (the browser's way: no analysis, no
//! optimiser), [`super::general`] (feature `general`) any graph of the accepted operators.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::plan::SimpleState;

use super::root_cause;
use crate::error::Error;
use crate::onnx::contract::{CLASSES, INPUT_LEN, INPUT_SIDE, check_input};
use crate::onnx::{Layers, budget, read};

type Plan = TypedSimplePlan;
type State = SimpleState<TypedFact, Box<dyn TypedOp>>;

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
    /// Why [`super::direct`] did not build it (`None`: it did).
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
    /// [`super::direct`]: the built graph and the outlets of the two layers.
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
    /// In WebAssembly a LeNet-style graph is built directly ([`super::direct`]: the page's model
    /// loads without tract's analysis and optimiser); natively, and for any graph the direct plan
    /// does not take, tract's general path builds it (natively, tract's convolution kernels beat
    /// ours: see [`super::general::rewrite::apply`]).
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
        let proto = read::read(bytes)?;
        let metadata = read::metadata(&proto);
        let names = proto.graph.as_ref().and_then(read::feature_map_names);
        if direct {
            let layers = match Layers::parse(&proto) {
                Ok(layers) => layers,
                Err(why) => return Self::general(bytes, metadata, names, why),
            };
            budget::check(layers.costs())?;
            return match super::direct::build(&layers) {
                Ok(built) => Self::from_direct(built, metadata, names),
                Err(why) => Self::general(bytes, metadata, names, why.to_string()),
            };
        }
        Self::general(bytes, metadata, names, "the direct path is for WebAssembly".into())
    }

    /// tract's general path: tract-hir's analysis, our rewrites, tract's optimiser.
    #[cfg(feature = "general")]
    fn general(
        bytes: &[u8],
        metadata: Vec<(String, String)>,
        names: Option<[String; 2]>,
        why: String,
    ) -> Result<Self, Error> {
        let model = super::general::analyse(bytes)?;
        let maps = names.map(|names| MapsSource {
            names,
            graph: MapsGraph::General(model.clone()),
            state: None,
        });
        let model = super::general::optimise(super::general::typed(model)?).map_err(|e| {
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
    /// path does not take needs the module that has it ([`Error::NeedsGeneral`]).
    #[cfg(not(feature = "general"))]
    fn general(_: &[u8], _: Vec<(String, String)>, _: Option<[String; 2]>, why: String) -> Result<Self, Error> {
        Err(Error::NeedsGeneral(why))
    }

    /// The model from [`super::direct`]'s graph. It computes what tract's would, so a model that
    /// fails here (output shape, a run that gives no probabilities) is broken on either path,
    /// with the same message.
    fn from_direct(
        built: super::direct::Built,
        metadata: Vec<(String, String)>,
        names: Option<[String; 2]>,
    ) -> Result<Self, Error> {
        let maps = names.and_then(|names| {
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
        let tensor = input_tensor(input)?;
        let outputs = self
            .state
            .run(tvec![tensor.into_tvalue()])
            .map_err(|e| Error::Internal(format!("inference failed: {}", root_cause(&e))))?;
        probabilities(outputs.first())
    }

    /// Whether the model has convolution layers whose activations [`Model::feature_maps`] can show.
    pub fn has_feature_maps(&self) -> bool {
        self.maps.is_some()
    }

    /// The activations of the first two convolution layers (C1 and C3 in LeNet-5, after their
    /// activation function) for one 32x32 input, read from the same graph as [`Model::predict`].
    pub fn feature_maps(&mut self, input: &[f32]) -> Result<[FeatureMap; 2], Error> {
        Ok(self.predict_with_maps(input)?.1)
    }

    /// [`Model::predict`] and [`Model::feature_maps`] in one run of the network: a page that
    /// shows the maps of the digit it reads pays for the first layers once.
    ///
    /// The plan with these intermediate outputs is built on first use, so a page that never
    /// shows the maps never pays for it, and `predict` keeps its single-output plan.
    pub fn predict_with_maps(&mut self, input: &[f32]) -> Result<([f32; CLASSES], [FeatureMap; 2]), Error> {
        let tensor = input_tensor(input)?;
        let Some(maps) = self.maps.as_mut() else {
            return Err(Error::Model(
                "this model has no convolution layers whose feature maps could be shown".into(),
            ));
        };
        if maps.state.is_none() {
            // The model's output, then the two layers'.
            let build = || -> TractResult<State> {
                let plan = match &maps.graph {
                    #[cfg(feature = "general")]
                    MapsGraph::General(graph) => {
                        let mut graph = graph.clone();
                        let output = graph.output_outlets()?[0];
                        graph.select_outputs_by_name(maps.names.iter())?;
                        let layers = graph.output_outlets()?.to_vec();
                        graph.select_output_outlets(&[output, layers[0], layers[1]])?;
                        let typed = super::general::typed(graph).map_err(|e| TractError::msg(e.to_string()))?;
                        super::general::optimise(typed)?.into_runnable()?
                    }
                    MapsGraph::Direct(graph, [c1, c3]) => {
                        let mut graph = graph.clone();
                        let output = graph.output_outlets()?[0];
                        graph.select_output_outlets(&[output, *c1, *c3])?;
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
        let outputs = state
            .run(tvec![tensor.into_tvalue()])
            .map_err(|e| Error::Internal(format!("inference failed: {}", root_cause(&e))))?;
        let read = |k: usize| -> Result<FeatureMap, Error> {
            let t = outputs
                .get(k + 1)
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
        Ok((probabilities(outputs.first())?, [read(0)?, read(1)?]))
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

/// One checked 32x32 input as the plan's [1,1,32,32] tensor.
fn input_tensor(input: &[f32]) -> Result<Tensor, Error> {
    check_input(input)?;
    Tensor::from_shape(&[1, 1, INPUT_SIDE, INPUT_SIDE], input)
        .map_err(|e| Error::Internal(format!("input tensor: {e}")))
}

/// The ten probabilities from a plan's first output.
fn probabilities(output: Option<&TValue>) -> Result<[f32; CLASSES], Error> {
    let output = output.ok_or_else(|| Error::Internal("the model returned no output".into()))?;
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
