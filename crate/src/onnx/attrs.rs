//! A node's attributes, read and checked once for every reader: the layer description
//! ([`super::layers`]) and tract's general path (`infer::general`) both take their attribute
//! values from here, so a value one refuses the other cannot take.
//!
//! Attribute values come from the file: each is checked for its ONNX type, and the window
//! attributes of a convolution or pool for consistency (tract indexes `kernel_shape`,
//! `strides`, `dilations` and `pads` by axis, divides by strides, and panics on lengths that
//! disagree: such nodes are refused here, in words).

use super::budget::MAX_WINDOW;
use super::pb::{self, attribute_proto::AttributeType};

/// The attributes of one node.
#[derive(Clone, Copy)]
pub struct Attrs<'a> {
    node: &'a pb::NodeProto,
}

impl<'a> Attrs<'a> {
    pub fn of(node: &'a pb::NodeProto) -> Self {
        Attrs { node }
    }

    fn find(&self, name: &str, ty: AttributeType) -> Result<Option<&'a pb::AttributeProto>, String> {
        let Some(attr) = self.node.attribute.iter().find(|a| a.name == name) else {
            return Ok(None);
        };
        if attr.r#type != ty as i32 {
            return Err(format!(
                "{} `{}`: attribute `{name}` is of type {}, not {ty:?}",
                self.node.op_type, self.node.name, attr.r#type
            ));
        }
        Ok(Some(attr))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, String> {
        Ok(self.find(name, AttributeType::Int)?.map(|a| a.i))
    }

    pub fn float(&self, name: &str) -> Result<Option<f32>, String> {
        Ok(self.find(name, AttributeType::Float)?.map(|a| a.f))
    }

    pub fn ints(&self, name: &str) -> Result<Option<&'a [i64]>, String> {
        Ok(self.find(name, AttributeType::Ints)?.map(|a| &a.ints[..]))
    }

    pub fn floats(&self, name: &str) -> Result<Option<&'a [f32]>, String> {
        Ok(self.find(name, AttributeType::Floats)?.map(|a| &a.floats[..]))
    }

    pub fn string(&self, name: &str) -> Result<Option<&'a str>, String> {
        self.find(name, AttributeType::String)?
            .map(|a| std::str::from_utf8(&a.s).map_err(|_| format!("attribute `{name}` is not UTF-8 text")))
            .transpose()
    }

    pub fn tensor(&self, name: &str) -> Result<Option<&'a pb::TensorProto>, String> {
        match self.find(name, AttributeType::Tensor)? {
            Some(a) => {
                a.t.as_ref()
                    .map(Some)
                    .ok_or_else(|| format!("attribute `{name}` holds no tensor"))
            }
            None => Ok(None),
        }
    }

    /// A flag stored as an int (0 or not).
    pub fn flag(&self, name: &str) -> Result<bool, String> {
        Ok(self.int(name)?.unwrap_or(0) != 0)
    }

    /// Non-negative ints, as sizes.
    pub fn sizes(&self, name: &str) -> Result<Option<Vec<usize>>, String> {
        self.ints(name)?
            .map(|v| {
                v.iter()
                    .map(|&x| {
                        usize::try_from(x)
                            .map_err(|_| format!("{} `{name}` holds a negative value ({x})", self.node.op_type))
                    })
                    .collect()
            })
            .transpose()
    }
}

/// How a convolution or pool pads when `pads` is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoPad {
    NotSet,
    Valid,
    SameUpper,
    SameLower,
}

/// The window of a `Conv`, `MaxPool` or `AveragePool`: sizes per spatial axis, checked to
/// agree with each other (no zero kernel, stride or dilation; a begin and an end pad per axis).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub kernel_shape: Option<Vec<usize>>,
    pub strides: Option<Vec<usize>>,
    pub dilations: Option<Vec<usize>>,
    /// Begins of every axis, then ends.
    pub pads: Option<Vec<usize>>,
    pub auto_pad: AutoPad,
    /// How many spatial axes the attributes describe (`None` if none is given).
    pub rank: Option<usize>,
}

impl Window {
    pub fn parse(node: &pb::NodeProto) -> Result<Window, String> {
        let attrs = Attrs::of(node);
        let op = &node.op_type;
        let mut rank: Option<(usize, &str)> = None;
        let mut read = |name: &'static str| -> Result<Option<Vec<usize>>, String> {
            let Some(values) = attrs.sizes(name)? else {
                return Ok(None);
            };
            if name != "pads" && values.contains(&0) {
                return Err(format!("{op} `{name}` holds a 0"));
            }
            if let Some(v) = values.iter().find(|&&v| v > MAX_WINDOW) {
                return Err(format!("{op} `{name}` holds {v}: at most {MAX_WINDOW} is taken"));
            }
            if name == "pads" && values.len() % 2 != 0 {
                return Err(format!(
                    "{op} `pads` holds {} values, not a begin and an end per axis",
                    values.len()
                ));
            }
            let len = if name == "pads" { values.len() / 2 } else { values.len() };
            match rank {
                Some((r, other)) if r != len => {
                    return Err(format!(
                        "{op} `{name}` does not match its `{other}` ({} values for {r} axes)",
                        values.len()
                    ));
                }
                _ => rank = Some((len, name)),
            }
            Ok(Some(values))
        };
        let kernel_shape = read("kernel_shape")?;
        let strides = read("strides")?;
        let dilations = read("dilations")?;
        let pads = read("pads")?;
        let auto_pad = match attrs.string("auto_pad")?.unwrap_or("NOTSET") {
            "NOTSET" => AutoPad::NotSet,
            "VALID" => AutoPad::Valid,
            "SAME_UPPER" => AutoPad::SameUpper,
            "SAME_LOWER" => AutoPad::SameLower,
            other => return Err(format!("{op} `auto_pad` is {other:?}")),
        };
        Ok(Window {
            kernel_shape,
            strides,
            dilations,
            pads,
            auto_pad,
            rank: rank.map(|(r, _)| r),
        })
    }

    /// Whether every stride and dilation is 1 (or not given).
    pub fn unit_steps(&self) -> bool {
        [&self.strides, &self.dilations]
            .iter()
            .all(|v| v.as_ref().is_none_or(|v| v.iter().all(|&s| s == 1)))
    }
}

/// `Conv`'s attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conv {
    pub window: Window,
    pub group: usize,
}

impl Conv {
    pub fn parse(node: &pb::NodeProto) -> Result<Conv, String> {
        let group = Attrs::of(node).int("group")?.unwrap_or(1);
        let group = usize::try_from(group)
            .ok()
            .filter(|&g| g > 0 && g <= MAX_WINDOW)
            .ok_or_else(|| format!("Conv `group` is {group}"))?;
        Ok(Conv {
            window: Window::parse(node)?,
            group,
        })
    }
}

/// `MaxPool`'s and `AveragePool`'s attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    pub window: Window,
    pub ceil_mode: bool,
    pub count_include_pad: bool,
}

impl Pool {
    pub fn parse(node: &pb::NodeProto) -> Result<Pool, String> {
        let attrs = Attrs::of(node);
        Ok(Pool {
            window: Window::parse(node)?,
            ceil_mode: attrs.flag("ceil_mode")?,
            count_include_pad: attrs.flag("count_include_pad")?,
        })
    }
}

/// `Gemm`'s attributes: `alpha · A' · B' + beta · C`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gemm {
    pub alpha: f32,
    pub beta: f32,
    pub trans_a: bool,
    pub trans_b: bool,
}

impl Gemm {
    pub fn parse(node: &pb::NodeProto) -> Result<Gemm, String> {
        let attrs = Attrs::of(node);
        Ok(Gemm {
            alpha: attrs.float("alpha")?.unwrap_or(1.0),
            beta: attrs.float("beta")?.unwrap_or(1.0),
            trans_a: attrs.flag("transA")?,
            trans_b: attrs.flag("transB")?,
        })
    }
}

/// `Flatten`'s axis (default 1).
pub fn flatten_axis(node: &pb::NodeProto) -> Result<i64, String> {
    Ok(Attrs::of(node).int("axis")?.unwrap_or(1))
}

/// `Softmax`'s axis: before opset 13 it flattens from `axis` on (default 1); since, one axis
/// (default -1).
pub fn softmax_axis(node: &pb::NodeProto, opset: i64) -> Result<i64, String> {
    Ok(Attrs::of(node).int("axis")?.unwrap_or(if opset < 13 { 1 } else { -1 }))
}

/// `Reshape`'s `allowzero`: a 0 in the target shape is a 0, not a copy of the input's dimension.
pub fn reshape_allowzero(node: &pb::NodeProto) -> Result<bool, String> {
    Attrs::of(node).flag("allowzero")
}

/// `Cast`'s target type (an ONNX `DataType`); required.
pub fn cast_to(node: &pb::NodeProto) -> Result<i64, String> {
    Attrs::of(node)
        .int("to")?
        .ok_or_else(|| format!("Cast `{}` has no `to`", node.name))
}

/// The value of a `Constant` node.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstantValue<'a> {
    Tensor(&'a pb::TensorProto),
    Float(f32),
    Floats(&'a [f32]),
    Int(i64),
    Ints(&'a [i64]),
}

impl<'a> ConstantValue<'a> {
    pub fn parse(node: &'a pb::NodeProto) -> Result<ConstantValue<'a>, String> {
        let attrs = Attrs::of(node);
        Ok(if let Some(t) = attrs.tensor("value")? {
            ConstantValue::Tensor(t)
        } else if let Some(v) = attrs.float("value_float")? {
            ConstantValue::Float(v)
        } else if let Some(v) = attrs.floats("value_floats")? {
            ConstantValue::Floats(v)
        } else if let Some(v) = attrs.int("value_int")? {
            ConstantValue::Int(v)
        } else if let Some(v) = attrs.ints("value_ints")? {
            ConstantValue::Ints(v)
        } else {
            return Err("a Constant node holds no numeric value".into());
        })
    }
}
