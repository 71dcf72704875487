// What the page works on (network, samples, settings) and the API requests built from it. v1
// fields always; each v2 field only once the user turns it on, so the page works with a server
// that does not know them, and never sends a field the contract does not define (a v2 server
// answers 422 to unknown fields).

/** The contract's preloaded example: the textbook 2-2-2 network, no biases, sigmoid, half_sse. */
export const TEXTBOOK = Object.freeze({
  layers: [
    { weights: [[0.15, 0.2], [0.25, 0.3]], activation: 'sigmoid' },
    { weights: [[0.4, 0.45], [0.5, 0.55]], activation: 'sigmoid' },
  ],
  input: [0.05, 0.1],
  target: [0.01, 0.99],
});

/** PyTorch's defaults (torch.optim), the contract's names. A value equal to its default is not sent. */
export const OPTIMIZERS = {
  sgd: { momentum: 0, dampening: 0, nesterov: false },
  adagrad: { lrDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
  rmsprop: { alpha: 0.99, eps: 1e-8, momentum: 0, centered: false },
  adam: { betas: [0.9, 0.999], eps: 1e-8 },
  adamw: { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 },
};

export const clone = v => JSON.parse(JSON.stringify(v));

export const state = {
  network: { layers: clone(TEXTBOOK.layers) },
  /** {kind: 'textbook', input, target} or {kind, seed, n, noise, inputs, targets, validation}. */
  data: { kind: 'textbook', input: [...TEXTBOOK.input], target: [...TEXTBOOK.target] },
  loss: 'half_sse',
  learningRate: 0.5,
  stepsPerCall: 10,
  optimizer: { name: 'sgd', hyper: clone(OPTIMIZERS.sgd) },
  /** The `optimizer` the server last answered (hyperparameters and state), sent back to go on. */
  optimizerReturned: null,
  batchSize: 0,            // 0: every sample in every step (v1)
  shuffle: true,
  batchSeed: 0,
  l1: 0,
  l2: 0,
  useValidation: false,
  init: { seed: 1, scheme: 'xavier', biases: false },
  /** 'forward' shows a, z, y; 'backward' also δ and ∂E/∂w. */
  training: false,         // /step calls going on, one after another
  phase: 'forward',
  forward: null,           // the last /forward or /gradients answer
  gradients: null,         // the last /gradients answer, null after a change of the weights
  selected: null,          // {kind: 'weight', layer, unit, input} or {kind: 'bias', layer, unit}
  sample: 0,               // the sample the diagram shows, for a data set
  history: { losses: [], validation: [] },   // losses per step; validation as [step, loss]
  currentLoss: null,       // the data loss of the whole training set for the network shown
  penalty: null,           // the regularization term, when the server reports one (v2)
  validationLoss: null,    // the validation loss after the last step, when a validation set is used (v2)
};

export const isBatch = () => state.data.kind !== 'textbook';
export const sampleCount = () => (isBatch() ? state.data.inputs.length : 1);
export const sizes = () => [state.network.layers[0].weights[0].length, ...state.network.layers.map(l => l.weights.length)];

function samples() {
  const d = state.data;
  return isBatch() ? { inputs: d.inputs, targets: d.targets } : { input: d.input, target: d.target };
}

/** True when the user chose anything but plain SGD, or mini-batches (whose position in the epoch
 * travels in `optimizer.state.step`, so that successive calls go on through the epochs). */
export function optimizerInUse() {
  const { name, hyper } = state.optimizer;
  const defaults = OPTIMIZERS[name];
  const changed = Object.keys(defaults).some(k => JSON.stringify(hyper[k]) !== JSON.stringify(defaults[k]));
  return name !== 'sgd' || changed || batching();
}

const batching = () => isBatch() && state.batchSize > 0 && state.batchSize < sampleCount();

/** The `optimizer` field: the name alone when every hyperparameter is its default, else an object;
 * once the server has answered one, that answer (with its state) with the user's hyperparameters. */
function optimizerField() {
  const { name, hyper } = state.optimizer;
  const defaults = OPTIMIZERS[name];
  const changed = Object.fromEntries(Object.entries(hyper).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k])));
  // Reset whenever the optimizer is changed, so this is always the chosen optimizer's answer.
  if (state.optimizerReturned) return { ...state.optimizerReturned, ...hyper };
  if (Object.keys(changed).length === 0) return name;
  return { name, ...changed };
}

function regularization() {
  const r = {};
  if (state.l1 > 0) r.l1 = state.l1;
  if (state.l2 > 0) r.l2 = state.l2;
  return Object.keys(r).length ? { regularization: r } : {};
}

export const forwardRequest = () => ({ network: state.network, ...samples(), loss: state.loss });

export const gradientsRequest = () => ({ network: state.network, ...samples(), loss: state.loss, ...regularization() });

export function stepRequest(steps) {
  const r = { network: state.network, ...samples(), loss: state.loss, learningRate: state.learningRate, steps, details: false };
  if (optimizerInUse()) r.optimizer = optimizerField();
  if (batching()) Object.assign(r, { batchSize: state.batchSize, shuffle: state.shuffle, seed: state.batchSeed });
  Object.assign(r, regularization());
  if (isBatch() && state.useValidation && state.data.validation) r.validation = state.data.validation;
  return r;
}

export function explainRequest(selection) {
  // With regularization on, the derivation shows its term too (+ λ₂·w + λ₁·sign w), as the
  // gradients drawn on the edges have it.
  const r = { network: state.network, ...samples(), loss: state.loss, learningRate: state.learningRate, ...regularization() };
  if (selection.kind === 'bias') r.bias = { layer: selection.layer, unit: selection.unit };
  else r.weight = { layer: selection.layer, unit: selection.unit, input: selection.input };
  return r;
}

export function initRequest() {
  const s = sizes();
  return {
    sizes: s,
    activations: state.network.layers.map(l => l.activation || 'sigmoid'),
    biases: state.init.biases,
    scheme: state.init.scheme,
    seed: state.init.seed,
  };
}

/** A new network (from /init, an import, the textbook): the optimizer starts afresh, the curve too. */
export function replaceNetwork(network) {
  state.network = network;
  state.optimizerReturned = null;
  state.gradients = null;
  state.forward = null;
  state.history = { losses: [], validation: [] };
  state.validationLoss = null;
  if (state.selected && !selectionExists(state.selected)) state.selected = null;
}

export function selectionExists(s) {
  const layer = state.network.layers[s.layer];
  if (!layer || s.unit >= layer.weights.length) return false;
  if (s.kind === 'bias') return Array.isArray(layer.biases);
  return s.input < layer.weights[0].length;
}

/** The network answered by /step, plus what it says about the optimizer. Returns warnings about
 * v2 fields the server ignored (a v1 server ignores unknown fields instead of refusing them). */
export function applyStep(request, answer) {
  state.network = answer.network;
  state.gradients = null;
  const warnings = [];
  if (request.optimizer !== undefined) {
    if (answer.optimizer) state.optimizerReturned = answer.optimizer;
    else warnings.push('this server ignored "optimizer" (it predates the v2 API): the steps were plain SGD');
  }
  const first = state.history.losses.length;
  state.history.losses.push(...answer.losses);
  if (request.validation !== undefined) {
    // [step, loss] pairs: validation may be turned on part way through the curve.
    if (answer.validationLosses) {
      state.history.validation.push(...answer.validationLosses.map((v, i) => [first + i, v]));
      state.validationLoss = answer.finalValidationLoss ?? null;
    } else {
      warnings.push('this server ignored "validation" (it predates the v2 API)');
    }
  }
  if (request.regularization !== undefined && !answer.penalties) {
    warnings.push('this server ignored "regularization" (it predates the v2 API)');
  }
  if (request.validation === undefined) state.validationLoss = null;
  state.currentLoss = answer.finalLoss;
  return warnings;
}
