// Tiny ONNX models for the bring-your-own-model tests, written with a minimal
// protobuf encoder (no dependency): input -> Flatten -> Gemm -> Softmax -> output.
// It honours the page's contract (or breaks it on purpose) but has no
// convolution layers, so it has no C1/C3 feature maps.

/** Protobuf wire encoding, just what ONNX needs. */
const varint = (n) => {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // two's complement, as int64 fields are encoded
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, data) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field, s) => bytes(field, [...Buffer.from(s, 'utf8')]);
const msg = (field, parts) => bytes(field, parts.flat());

const FLOAT = 1;

function valueInfo(field, name, dims) {
  const shape = dims.map((d) => msg(1, [typeof d === 'string' ? str(2, d) : int(1, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, FLOAT), msg(2, shape)])])]);
}

function tensor(name, dims, values) {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  return msg(5, [...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, [...raw])]);
}

function node(op, inputs, outputs, name, attributes = []) {
  return msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op), ...attributes]);
}

const intAttribute = (name, value) => msg(5, [str(1, name), int(3, value), int(20, 2)]);

/**
 * A linear softmax classifier as ONNX bytes.
 * @param {object} [options]
 * @param {number[]} [options.inputDims] declared input shape (the contract: [N,1,32,32])
 * @param {string} [options.inputName] ('input')
 * @param {string} [options.outputName] ('probabilities')
 * @param {number} [options.classes] (10)
 * @param {number} [options.seed] for the weights
 * @param {(i: number) => number} [options.weight] the i-th weight instead of a random one
 * @param {boolean} [options.matmul] the dense layer as MatMul + Add (as some exporters write it)
 *   instead of Gemm: the same function, but a graph the page's small module does not build, so
 *   the page loads its general module for it
 */
export function linearModel({
  inputDims = ['N', 1, 32, 32],
  inputName = 'input',
  outputName = 'probabilities',
  classes = 10,
  seed = 7,
  weight = null,
  matmul = false,
} = {}) {
  const side = inputDims.slice(1).reduce((a, b) => a * (typeof b === 'number' ? b : 1), 1);
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const weights = Array.from({ length: side * classes }, (_, i) => (weight ? weight(i) : rand() * 0.2));
  const bias = Array.from({ length: classes }, () => 0);
  const graph = [
    node('Flatten', [inputName], ['flat'], 'flatten', [intAttribute('axis', 1)]),
    ...(matmul
      ? [node('MatMul', ['flat', 'w'], ['product'], 'dense'), node('Add', ['product', 'b'], ['logits_out'], 'bias')]
      : [node('Gemm', ['flat', 'w', 'b'], ['logits_out'], 'dense')]),
    node('Softmax', ['logits_out'], [outputName], 'softmax', [intAttribute('axis', 1)]),
    str(2, 'linear'),
    tensor('w', [side, classes], weights),
    tensor('b', [classes], bias),
    valueInfo(11, inputName, inputDims),
    valueInfo(12, outputName, ['N', classes]),
  ];
  const model = [
    int(1, 7), // ir_version
    str(2, 'lenet5 e2e tests'),
    msg(7, graph),
    msg(8, [str(1, ''), int(2, 13)]), // opset 13
  ];
  return Buffer.from(model.flat());
}
