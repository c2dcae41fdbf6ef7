//! Tensors in and out of ONNX files, decoded and encoded once: the loaders, the contract
//! checks, the fine-tuner and the exporter all use these.
//!
//! Weight matrices may be stored as float32, float16 (behind a `Cast`) or int8 with one
//! float32 scale per output map or unit (behind a `Cast` and a `Mul`); [`quantise`] and
//! [`dequantise`] define the int8 form for the writer and every reader.

use super::contract::size_of;
use super::pb::{self, tensor_proto::DataType};

/// A constant as float32 values with its ONNX type and shape (integers up to 2^24 are exact,
/// which covers int8 weights and shapes).
#[derive(Clone, Debug, PartialEq)]
pub struct Constant {
    pub data_type: i32,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// ONNX's float32 type.
pub const FLOAT: i32 = DataType::Float as i32;
/// ONNX's int64 type.
pub const INT64: i32 = DataType::Int64 as i32;

/// A tensor's values: float32, float16, int8 or int64, stored as raw bytes or in the typed
/// fields. Refuses external data, other types, sizes past the contract's limit and a count of
/// values that does not match the shape.
pub fn decode(t: &pb::TensorProto) -> Result<Constant, String> {
    let name = &t.name;
    if !t.external_data.is_empty() || t.data_location.is_some_and(|l| l != 0) {
        return Err(format!("`{name}` is stored outside the file"));
    }
    let shape = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| format!("`{name}` has dimension {d}")))
        .collect::<Result<Vec<_>, _>>()?;
    let len = size_of(&shape).ok_or_else(|| format!("`{name}` is too large"))?;
    let raw = &t.raw_data;
    let values: Vec<f32> = match DataType::try_from(t.data_type) {
        Ok(DataType::Float) if raw.is_empty() => t.float_data.clone(),
        Ok(DataType::Float) => raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Ok(DataType::Float16) if raw.is_empty() => t
            .int32_data
            .iter()
            .map(|&v| half::f16::from_bits(v as u16).to_f32())
            .collect(),
        Ok(DataType::Float16) => raw
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Ok(DataType::Int8) if raw.is_empty() => t.int32_data.iter().map(|&v| v as i8 as f32).collect(),
        Ok(DataType::Int8) => raw.iter().map(|&b| b as i8 as f32).collect(),
        Ok(DataType::Int64) if raw.is_empty() => t.int64_data.iter().map(|&v| v as f32).collect(),
        Ok(DataType::Int64) => raw
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        _ => return Err(format!("`{name}` has data type {}", t.data_type)),
    };
    if values.len() != len {
        return Err(format!("`{name}` holds {} values for shape {shape:?}", values.len()));
    }
    Ok(Constant {
        data_type: t.data_type,
        shape,
        values,
    })
}

/// Whether a float32 or float16 tensor holds a NaN or an infinity anywhere it could be read
/// from (raw bytes and typed fields alike); other types hold none.
pub fn has_non_finite(t: &pb::TensorProto) -> bool {
    if t.data_type == FLOAT {
        t.raw_data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .chain(t.float_data.iter().copied())
            .any(|v| !v.is_finite())
    } else if t.data_type == DataType::Float16 as i32 {
        // float16 comes as raw bytes or as bit patterns in int32_data.
        t.raw_data
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .chain(t.int32_data.iter().map(|&v| half::f16::from_bits(v as u16).to_f32()))
            .any(|v| !v.is_finite())
    } else {
        false
    }
}

/// A float32 tensor, stored as raw little-endian bytes.
pub fn float32(name: impl Into<String>, dims: &[usize], values: &[f32]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: FLOAT,
        raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..Default::default()
    }
}

/// A float16 tensor of `values` (rounded to nearest), stored as raw bytes.
pub fn float16(name: impl Into<String>, dims: &[usize], values: &[f32]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: DataType::Float16 as i32,
        raw_data: values
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect(),
        ..Default::default()
    }
}

/// An int8 tensor, stored as raw bytes.
pub fn int8(name: impl Into<String>, dims: &[usize], values: &[i8]) -> pb::TensorProto {
    pb::TensorProto {
        name: name.into(),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: DataType::Int8 as i32,
        raw_data: values.iter().map(|&v| v as u8).collect(),
        ..Default::default()
    }
}

/// What a float16 file holds for `v`.
pub fn round_f16(v: f32) -> f32 {
    half::f16::from_f32(v).to_f32()
}

/// int8 weights of one tensor, `rows` output maps or units of equal length, and their scales.
/// An all-zero row gets scale 1 (its weights stay exactly 0, like the paper's C3 table's). A
/// row with a NaN or infinite weight gets a NaN scale: the file then says the training
/// diverged (every reader refuses it) instead of hiding it behind int8 zeros.
pub fn quantise(values: &[f32], rows: usize) -> (Vec<i8>, Vec<f32>) {
    let len = values.len() / rows.max(1);
    let mut q = Vec::with_capacity(values.len());
    let mut scales = Vec::with_capacity(rows);
    for row in values.chunks(len.max(1)) {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if row.iter().any(|v| !v.is_finite()) {
            f32::NAN
        } else if max > 0.0 {
            max / 127.0
        } else {
            1.0
        };
        q.extend(row.iter().map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8));
        scales.push(scale);
    }
    (q, scales)
}

/// What a reader computes from int8 weights: `Cast` to float32, then `Mul` by the row's scale.
pub fn dequantise(q: &[i8], scales: &[f32]) -> Vec<f32> {
    let len = q.len() / scales.len().max(1);
    q.chunks(len.max(1))
        .zip(scales)
        .flat_map(|(row, &scale)| row.iter().map(move |&v| f32::from(v) * scale))
        .collect()
}
