// The playground's entry point: the buttons (forward, backward, step, train), the share panel and
// every control of index.html wired to the state (model.js), the API (api.js) and the views.

import { post, onExchange, lastExchange } from './api.js';
import { state, TEXTBOOK, OPTIMIZERS, clone, isBatch, sizes, sampleCount, stepRequest, replaceNetwork, applyStep } from './model.js';
import { $, say, guarded, drawAll, drawHeatmapNow, redrawNetwork, refresh, clearExplanation } from './view.js';
import { initNetwork, addLayer, removeLayer, chooseData, renderNetworkControls, renderDataControls } from './shape.js';
import { writeSettings, readSettings, numberOf } from './settings.js';
import { renderHyperparameters } from './controls.js';
import { curlCommand, exportObject, parseImport } from './share.js';

// ---- forward, backward, step, train ------------------------------------------------------------

async function forward() {
  state.phase = 'forward';
  await refresh({ record: true });
}

async function backward() {
  state.phase = 'backward';
  await refresh({ record: true });
}

async function step() {
  const request = stepRequest(1);
  const answer = await post('/step', request);
  say(applyStep(request, answer).join('; '), 'warning');
  await refresh();
}

/** Repeated /step calls of `stepsPerCall` steps, each passing on the network (and optimizer)
 * the last one answered, until the user presses the button again. */
async function trainLoop() {
  while (state.training) {
    const request = stepRequest(state.stepsPerCall);
    const answer = await post('/step', request);
    const warnings = applyStep(request, answer);
    if (warnings.length) say(warnings.join('; '), 'warning');
    if (!state.training) break;
    await refresh();
  }
  await refresh();
}

const LOCKED_WHILE_TRAINING = ['forward', 'backward', 'step', 'init', 'reset', 'import', 'add-layer', 'remove-layer', 'dataset'];

function setTraining(on) {
  state.training = on;
  const button = $('train');
  button.textContent = on ? 'Stop' : 'Train';
  button.setAttribute('aria-pressed', String(on));
  for (const id of LOCKED_WHILE_TRAINING) $(id).disabled = on;
  if (!on) renderNetworkControls();
}

function toggleTraining() {
  if (state.training) {
    setTraining(false);  // the call in flight finishes and is kept; the loop ends after it
    return;
  }
  say('');
  setTraining(true);
  guarded(trainLoop).finally(() => setTraining(false));
}

/** Everything back to the contract's preloaded example. */
async function resetToTextbook() {
  Object.assign(state, {
    loss: 'half_sse', learningRate: 0.5, stepsPerCall: 10, batchSize: 0, shuffle: true, batchSeed: 0,
    l1: 0, l2: 0, useValidation: false, phase: 'forward', selected: null, sample: 0,
    optimizer: { name: 'sgd', hyper: clone(OPTIMIZERS.sgd) },
    init: { seed: 1, scheme: 'xavier', biases: false },
    data: { kind: 'textbook', input: [...TEXTBOOK.input], target: [...TEXTBOOK.target] },
  });
  replaceNetwork({ layers: clone(TEXTBOOK.layers) });
  writeSettings();
  renderNetworkControls();
  renderDataControls();
  renderHyperparameters($('hyperparameters'), drawAll);
  clearExplanation();
  say('');
  await refresh();
}

// ---- share -------------------------------------------------------------------------------------

function copyCurl() {
  const exchange = lastExchange();
  if (!exchange) {
    say('No request yet: press Forward or Step, or click a weight, first.', 'warning');
    return;
  }
  const box = $('curl');
  box.value = curlCommand(exchange);
  box.select();
  // The clipboard may need a permission the page does not have; the command is in the box anyway.
  navigator.clipboard?.writeText(box.value).then(
    () => say('Copied the curl command.', 'info'),
    () => say('The curl command is in the box under the buttons: copy it from there.', 'info'));
}

function exportJSON() {
  const text = JSON.stringify(exportObject(state.network, state.optimizerReturned), null, 2);
  $('json').value = text;
  const link = $('download');
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  link.hidden = false;
}

async function importJSON() {
  const outputs = isBatch() ? 1 : state.data.target.length;
  const { network, optimizer } = parseImport($('json').value, sizes()[0], outputs);
  replaceNetwork(network);
  if (optimizer && OPTIMIZERS[optimizer.name]) {
    const defaults = OPTIMIZERS[optimizer.name];
    const given = Object.fromEntries(Object.keys(defaults).filter(k => k in optimizer).map(k => [k, optimizer[k]]));
    state.optimizer = { name: optimizer.name, hyper: { ...clone(defaults), ...given } };
    state.optimizerReturned = optimizer;
    $('optimizer').value = optimizer.name;
    renderHyperparameters($('hyperparameters'), drawAll);
  }
  renderNetworkControls();
  say('Imported.', 'info');
  await refresh();
}

/** The last request and answer, for the "last request" box. The answer is shown as it came. */
function showExchange(exchange) {
  let pretty = exchange.body;
  try { pretty = JSON.stringify(JSON.parse(exchange.body), null, 1); } catch { /* shown as sent */ }
  $('last-request').textContent = `POST ${exchange.path}\n${pretty}`;
  $('last-response').textContent = exchange.text;
}

// ---- wiring ------------------------------------------------------------------------------------

const on = (id, event, handler) => $(id).addEventListener(event, handler);

function wire() {
  on('forward', 'click', () => guarded(forward));
  on('backward', 'click', () => guarded(backward));
  on('step', 'click', () => guarded(step));
  on('train', 'click', toggleTraining);
  on('reset', 'click', () => guarded(resetToTextbook));
  on('edge-mode', 'change', redrawNetwork);
  on('sample', 'change', () => {
    state.sample = numberOf('sample', 0, 0, sampleCount() - 1, true);
    redrawNetwork();
  });

  for (const id of ['dataset', 'data-seed', 'data-n', 'data-noise']) on(id, 'change', () => guarded(chooseData));
  on('use-validation', 'change', () => {
    state.useValidation = $('use-validation').checked;
    guarded(drawHeatmapNow);
  });
  for (const id of ['learning-rate', 'steps-per-call', 'batch-size', 'shuffle', 'batch-seed', 'l1', 'l2', 'init-seed', 'init-scheme', 'init-biases']) {
    on(id, 'change', readSettings);
  }
  on('loss-function', 'change', () => {
    state.loss = $('loss-function').value;
    guarded(refresh);
  });
  on('optimizer', 'change', () => {
    const name = $('optimizer').value;
    state.optimizer = { name, hyper: clone(OPTIMIZERS[name]) };
    state.optimizerReturned = null;  // another optimizer starts without state
    renderHyperparameters($('hyperparameters'), drawAll);
    drawAll();
  });

  on('add-layer', 'click', () => guarded(addLayer));
  on('remove-layer', 'click', () => guarded(removeLayer));
  on('init', 'click', () => {
    readSettings();
    guarded(initNetwork);
  });

  on('copy-curl', 'click', copyCurl);
  on('export', 'click', exportJSON);
  on('import', 'click', () => guarded(importJSON));
  onExchange(showExchange);
}

wire();
writeSettings();
renderNetworkControls();
renderDataControls();
renderHyperparameters($('hyperparameters'), drawAll);
guarded(refresh);
