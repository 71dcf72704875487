// The training panel's fields and the state, both ways: the state written into the fields (at
// start and after a reset), the fields read into the state when one changes. Out-of-range input
// is clamped, and text that is not a number leaves the setting as it was.

import { state } from './model.js';
import { $ } from './view.js';

export function writeSettings() {
  $('dataset').value = state.data.kind;
  $('learning-rate').value = String(state.learningRate);
  $('loss-function').value = state.loss;
  $('steps-per-call').value = String(state.stepsPerCall);
  $('batch-size').value = String(state.batchSize);
  $('shuffle').checked = state.shuffle;
  $('batch-seed').value = String(state.batchSeed);
  $('l1').value = String(state.l1);
  $('l2').value = String(state.l2);
  $('use-validation').checked = state.useValidation;
  $('optimizer').value = state.optimizer.name;
  $('init-seed').value = String(state.init.seed);
  $('init-scheme').value = state.init.scheme;
}

/** A number field's value within [min, max], or `fallback` when it is not a number. */
export function numberOf(id, fallback, min = -Infinity, max = Infinity, integer = false) {
  const text = $(id).value.trim();
  let v = Number(text);
  if (text === '' || !Number.isFinite(v)) return fallback;
  if (integer) v = Math.trunc(v);
  return Math.min(max, Math.max(min, v));
}

export function readSettings() {
  state.learningRate = numberOf('learning-rate', state.learningRate, 0);
  state.stepsPerCall = numberOf('steps-per-call', state.stepsPerCall, 1, 1000, true);
  state.batchSize = numberOf('batch-size', state.batchSize, 0, 1e6, true);
  state.shuffle = $('shuffle').checked;
  state.batchSeed = numberOf('batch-seed', state.batchSeed, 0, Number.MAX_SAFE_INTEGER, true);
  state.l1 = numberOf('l1', state.l1, 0);
  state.l2 = numberOf('l2', state.l2, 0);
  state.init.seed = numberOf('init-seed', state.init.seed, 0, Number.MAX_SAFE_INTEGER, true);
  state.init.scheme = $('init-scheme').value;
  state.init.biases = $('init-biases').checked;
}
