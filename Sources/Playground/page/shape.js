// The network's shape and the data it learns: /init from a seed, hidden layers and units added or
// removed (the server draws fresh weights for a new shape), activations, and the data sets. The
// outer widths follow the data: two inputs, and as many outputs as a sample has targets.

import { post } from './api.js';
import { state, TEXTBOOK, clone, isBatch, sampleCount, initRequest, replaceNetwork } from './model.js';
import { renderLayers, renderSampleFields, MAX_HIDDEN_LAYERS } from './controls.js';
import { makeDataset } from './datasets.js';
import { $, guarded, refresh } from './view.js';

export async function initNetwork() {
  const answer = await post('/init', initRequest());
  replaceNetwork(answer.network);
  renderNetworkControls();
  await refresh();
}

/** Inputs and targets per sample. */
const dataWidths = () => (isBatch() ? [2, 1] : [state.data.input.length, state.data.target.length]);
const hidden = () => state.network.layers.slice(0, -1);
const outputActivation = () => state.network.layers[state.network.layers.length - 1].activation || 'sigmoid';

/** A new shape, its weights drawn by /init with the seed and these activations. */
async function reshape(hiddenSizes, hiddenActivations, lastActivation = outputActivation()) {
  const [inputs, outputs] = dataWidths();
  const widths = [inputs, ...hiddenSizes, outputs];
  state.network = {
    layers: [...hiddenActivations, lastActivation].map((activation, l) => ({
      weights: Array.from({ length: widths[l + 1] }, () => Array(widths[l]).fill(0)),
      activation,
    })),
  };
  await initNetwork();
}

const hiddenSizes = () => hidden().map(layer => layer.weights.length);
const hiddenActivations = () => hidden().map(layer => layer.activation || 'sigmoid');

export function addLayer() {
  const h = hidden();
  const units = h.length ? h[h.length - 1].weights.length : 2;
  return reshape([...hiddenSizes(), units], [...hiddenActivations(), h.length ? hiddenActivations()[h.length - 1] : 'tanh']);
}

export function removeLayer() {
  return reshape(hiddenSizes().slice(0, -1), hiddenActivations().slice(0, -1));
}

function onUnits(l, delta) {
  const sizes = hiddenSizes();
  sizes[l] += delta;
  guarded(() => reshape(sizes, hiddenActivations()));
}

function onActivation(l, name) {
  state.network.layers[l].activation = name;
  guarded(refresh);
}

export function renderNetworkControls() {
  renderLayers($('layers'), { onUnits, onActivation });
  $('add-layer').disabled = state.training || hidden().length >= MAX_HIDDEN_LAYERS;
  $('remove-layer').disabled = state.training || hidden().length === 0;
  $('init-biases').checked = state.network.layers.some(l => Array.isArray(l.biases));
  state.init.biases = $('init-biases').checked;
}

export function renderDataControls() {
  const batch = isBatch();
  for (const e of document.querySelectorAll('.for-dataset')) e.hidden = !batch;
  for (const e of document.querySelectorAll('.for-textbook')) e.hidden = batch;
  $('sample-picker').hidden = !batch;
  $('sample').max = String(sampleCount() - 1);
  renderSampleFields($('sample-fields'), () => guarded(refresh));
}

/** The data chosen in the panel. A data set has one target per sample, so coming from the
 * textbook sample the network becomes 2-4-4-1 (tanh, biases, sigmoid output); between data sets
 * the shape stays and the weights start afresh from the seed. */
export async function chooseData() {
  const kind = $('dataset').value;
  if (kind === 'textbook') {
    state.data = { kind, input: [...TEXTBOOK.input], target: [...TEXTBOOK.target] };
    replaceNetwork({ layers: clone(TEXTBOOK.layers) });
    renderNetworkControls();
    renderDataControls();
    await refresh();
    return;
  }
  const wasTextbook = !isBatch();
  const seed = Math.trunc(Number($('data-seed').value) || 0);
  const n = Math.min(1000, Math.max(4, Math.trunc(Number($('data-n').value) || 100)));
  const noise = Math.max(0, Number($('data-noise').value) || 0);
  state.data = { kind, seed, n, noise, ...makeDataset(kind, seed, n, noise) };
  state.sample = 0;
  $('sample').value = '0';
  renderDataControls();
  if (wasTextbook) {
    $('init-biases').checked = true;
    state.init.biases = true;
    await reshape([4, 4], ['tanh', 'tanh'], 'sigmoid');
  } else {
    await initNetwork();
  }
}
