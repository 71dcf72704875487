// What the page shows of the state: the status line, the diagram, the loss, the curve, the heat
// map and the derivation, each refreshed from the server's answers (a refresh asks the server
// again; the page computes none of the network's numbers itself).

import { post } from './api.js';
import { state, isBatch, sizes, forwardRequest, gradientsRequest, explainRequest } from './model.js';
import { drawNetwork } from './diagram.js';
import { showExplanation, showExplanationError } from './explain.js';
import { drawLossCurve } from './losscurve.js';
import { drawHeatmap, gridInputs } from './heatmap.js';
import { full, short } from './format.js';

export const $ = id => document.getElementById(id);

/** The status line: an error (the default), a warning or information; '' hides it. */
export function say(message, kind = 'error') {
  const status = $('status');
  status.textContent = message;
  status.className = `status ${kind}`;
  status.hidden = !message;
}

/** Runs an action, showing its error (the server's problem detail) instead of throwing. */
export async function guarded(action) {
  try {
    await action();
  } catch (e) {
    say(e.message);
  }
}

export function drawAll() {
  drawNetwork($('network'), select);
  drawLossCurve($('loss-curve'), state.history.losses, state.history.validation);
  $('loss').textContent = state.currentLoss === null ? '…' : full(state.currentLoss);
  $('steps-taken').textContent = String(state.history.losses.length);
  const extra = [state.penalty !== null ? `penalty ${short(state.penalty)}` : '',
                 state.validationLoss !== null ? `validation ${short(state.validationLoss)}` : ''].filter(Boolean);
  $('loss-extra').textContent = extra.join(', ');
  const returned = state.optimizerReturned;
  $('optimizer-step').textContent = returned && returned.state ? `state: step ${returned.state.step}` : '';
}

export const redrawNetwork = () => drawNetwork($('network'), select);

/** The heat map, for a two-input, one-output network on a data set (one /forward over a grid). */
export async function drawHeatmapNow() {
  const box = $('heatmap-box');
  const s = sizes();
  box.hidden = !(isBatch() && s[0] === 2 && s[s.length - 1] === 1);
  if (box.hidden) return;
  const answer = await post('/forward', { network: state.network, inputs: gridInputs() }, { record: false });
  drawHeatmap($('heatmap'), answer.output, { ...state.data, showValidation: state.useValidation });
}

/** The values of the network shown, recomputed by the server: /forward, or /gradients once the
 * user has asked for the backward pass; then the selected weight's derivation and the heat map.
 * `record` puts the request in the exchange log (for Forward and Backward themselves). */
export async function refresh({ record = false } = {}) {
  const backward = state.phase === 'backward';
  const request = backward ? gradientsRequest() : forwardRequest();
  const answer = await post(backward ? '/gradients' : '/forward', request, { record });
  state.forward = answer;
  state.gradients = backward ? answer : null;
  if (answer.loss !== undefined) state.currentLoss = answer.loss;
  state.penalty = answer.penalty ?? null;
  if (request.regularization && answer.penalty === undefined) {
    say('this server ignored "regularization" (it predates the v2 API): the gradients shown are the data loss\'s', 'warning');
  }
  drawAll();
  await Promise.all([state.selected ? explain(state.selected, { record: false }) : null, drawHeatmapNow()]);
}

async function explain(selection, { record = true } = {}) {
  const panel = $('explanation');
  try {
    const answer = await post('/explain', explainRequest(selection), { record });
    showExplanation(panel, selection, answer, { learningRate: state.learningRate, batch: isBatch() },
                    value => guarded(() => editParameter(selection, value)));
  } catch (e) {
    showExplanationError(panel, selection, e.message);
  }
}

/** A weight or bias clicked (or chosen by keyboard): highlight it and explain it. */
export function select(selection) {
  state.selected = selection;
  redrawNetwork();
  // Keep the keyboard where it was: the diagram is redrawn, so focus the new twin of the label.
  const id = selection.kind === 'bias' ? `bias-${selection.layer}-${selection.unit}` : `weight-${selection.layer}-${selection.unit}-${selection.input}`;
  document.querySelector(`[data-testid="${id}"]`)?.focus();
  guarded(() => explain(selection));
}

/** A value typed for the selected weight or bias. */
async function editParameter(selection, value) {
  const layer = state.network.layers[selection.layer];
  if (selection.kind === 'bias') layer.biases[selection.unit] = value;
  else layer.weights[selection.unit][selection.input] = value;
  await refresh();
}

/** The derivation panel back to its first words. */
export function clearExplanation() {
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = 'Click a weight (or its label) in the diagram, or Tab to it and press Enter.';
  $('explanation').replaceChildren(p);
}
