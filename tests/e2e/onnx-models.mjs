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

const intsAttribute = (name, values) => msg(5, [str(1, name), ...values.map((v) => int(8, v)), int(20, 7)]);

/**
 * A convolutional model as ONNX bytes: input -> Conv (`maps` maps of `kernel` x `kernel`, with
 * `pads` on every side and `strides`) -> Relu -> MaxPool (`pool`) -> Flatten -> Gemm to 10 ->
 * Softmax. It honours the contract, so with absurd attributes it is a hostile model: one that
 * asks for absurd work or memory (every weight is small and finite).
 * @param {object} [options]
 * @param {number} [options.maps] (6)
 * @param {number} [options.kernel] (5)
 * @param {number} [options.pads] (0)
 * @param {number} [options.strides] (1)
 * @param {number|'all'} [options.pool] (2); 'all': one window over the whole output (at most
 *   4,096 wide), so the dense layer stays small however large the convolution's output
 */
export function convModel({ maps = 6, kernel = 5, pads = 0, strides = 1, pool: poolOption = 2 } = {}) {
  const side = Math.max(1, Math.floor((32 + 2 * pads - kernel) / strides) + 1);
  const pool = poolOption === 'all' ? Math.min(side, 4096) : poolOption;
  const pooled = Math.max(1, Math.floor((side - pool) / pool) + 1);
  // Capped: the absurd cases are refused from their attributes or shapes, before the dense layer matters.
  const flat = Math.min(maps * pooled * pooled, 1 << 16);
  let s = 11;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const convWeights = Array.from({ length: maps * kernel * kernel }, () => rand() * 0.1);
  const denseWeights = Array.from({ length: flat * 10 }, () => rand() * 0.1);
  const graph = [
    node('Conv', ['input', 'cw', 'cb'], ['c1'], 'c1', [
      intsAttribute('kernel_shape', [kernel, kernel]),
      intsAttribute('pads', [pads, pads, pads, pads]),
      intsAttribute('strides', [strides, strides]),
    ]),
    node('Relu', ['c1'], ['c1_relu'], 'c1_relu'),
    node('MaxPool', ['c1_relu'], ['s2'], 's2', [intsAttribute('kernel_shape', [pool, pool]), intsAttribute('strides', [pool, pool])]),
    node('Flatten', ['s2'], ['flat'], 'flatten', [intAttribute('axis', 1)]),
    node('Gemm', ['flat', 'w', 'b'], ['logits_out'], 'dense'),
    node('Softmax', ['logits_out'], ['probabilities'], 'softmax', [intAttribute('axis', 1)]),
    str(2, 'hostile'),
    tensor('cw', [maps, 1, kernel, kernel], convWeights),
    tensor('cb', [maps], Array.from({ length: maps }, () => 0)),
    tensor('w', [flat, 10], denseWeights),
    tensor('b', [10], Array.from({ length: 10 }, () => 0)),
    valueInfo(11, 'input', ['N', 1, 32, 32]),
    valueInfo(12, 'probabilities', ['N', 10]),
  ];
  return Buffer.from([int(1, 7), str(2, 'lenet5 e2e tests'), msg(7, graph), msg(8, [str(1, ''), int(2, 13)])].flat());
}

/**
 * The hostile models of issue #19 and their kin, by name: each asks for absurd work or memory,
 * or is broken, and must be refused in words without freezing the page. `heavy` is the
 * exception: the most work the page accepts, about 20 LeNet-5s per digit.
 */
export function hostileModels() {
  const nan = linearModel({ weight: (i) => (i === 5 ? Number.NaN : 0.01) });
  return [
    { name: 'pads-3000.onnx', bytes: convModel({ pads: 3000, pool: 'all' }), says: /bad model: .*c1/i },
    { name: 'strides-100000.onnx', bytes: convModel({ strides: 100000, pool: 'all' }), says: /bad model: .*stride/i },
    { name: 'pads-100000.onnx', bytes: convModel({ pads: 100000, pool: 'all' }), says: /bad model: .*pad/i },
    { name: 'kernel-2000.onnx', bytes: convModel({ maps: 1, kernel: 2000, pads: 1000, pool: 'all' }), says: /bad model: .*c1/i },
    { name: 'maps-4096.onnx', bytes: convModel({ maps: 4096, kernel: 5, pads: 2, pool: 'all' }), says: /bad model: .*c1/i },
    { name: 'nan.onnx', bytes: nan, says: /NaN or infinite/ },
    { name: 'heavy.onnx', bytes: convModel({ maps: 100, kernel: 9, pads: 4, pool: 4 }), says: null },
  ];
}
