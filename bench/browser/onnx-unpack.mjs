// Rewrites an ONNX file's packed repeated scalars (AttributeProto.ints / floats, TensorProto.dims)
// as unpacked fields, byte for byte otherwise.
//
// Why: our exporter writes ONNX with prost, which packs repeated int64/float fields (valid
// protobuf: a parser must accept both encodings). rten 0.27's own ONNX parser (rten-onnx) only
// accepts those three fields unpacked, as ONNX's proto2 reference writers emit them, and fails
// with "AttributeProto field 8: field type mismatch". onnxruntime and tract read both. The
// benchmark gives rten the unpacked copy (same graph, same weights: tensor data is copied
// verbatim) and checks its probabilities against ours like the others.

// Fields to descend into (message type) or to unpack ('varint' | 'fixed32'), per message type.
const SCHEMA = {
  Model: { 7: 'Graph' },
  Graph: { 1: 'Node', 5: 'Tensor' },
  Node: { 5: 'Attribute' },
  Attribute: { 5: 'Tensor', 6: 'Graph', 7: 'fixed32', 8: 'varint', 10: 'Tensor', 11: 'Graph' },
  Tensor: { 1: 'varint' },
};

function readVarint(buf, pos) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    value |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [value, pos];
    shift += 7n;
  }
}

function varint(value) {
  const out = [];
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

/** Rewrite one message of `type`; returns [new bytes, number of packed fields unpacked]. */
function rewrite(buf, type) {
  const schema = SCHEMA[type] ?? {};
  const parts = [];
  let unpacked = 0;
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    const rule = schema[field];
    if (wire === 0) {
      [, pos] = readVarint(buf, pos);
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      const body = buf.subarray(pos, pos + Number(len));
      pos += Number(len);
      if (rule === 'varint') {
        // packed varints -> one (field, wire 0) entry each
        for (let p = 0; p < body.length; ) {
          const s = p;
          [, p] = readVarint(body, p);
          parts.push(varint((field << 3) | 0), body.subarray(s, p));
        }
        unpacked++;
        continue;
      }
      if (rule === 'fixed32') {
        if (body.length % 4) throw new Error(`packed fixed32 field ${field} of ${body.length} bytes`);
        for (let p = 0; p < body.length; p += 4) parts.push(varint((field << 3) | 5), body.subarray(p, p + 4));
        unpacked++;
        continue;
      }
      if (rule && SCHEMA[rule]) {
        const [inner, n] = rewrite(body, rule);
        unpacked += n;
        parts.push(varint((field << 3) | 2), varint(inner.length), inner);
        continue;
      }
    } else {
      throw new Error(`unsupported wire type ${wire} (field ${field} of ${type})`);
    }
    if (pos > buf.length) throw new Error(`truncated ${type}`);
    parts.push(buf.subarray(start, pos));
  }
  return [Buffer.concat(parts), unpacked];
}

/** ONNX ModelProto bytes -> { bytes, unpacked } with every packed ints/floats/dims unpacked. */
export function unpackOnnx(bytes) {
  const [out, unpacked] = rewrite(Buffer.from(bytes), 'Model');
  return { bytes: out, unpacked };
}
