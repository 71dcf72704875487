// The side panel's controls that are built from the state: one row per layer (units, activation),
// the textbook sample's x and t, and the chosen optimizer's hyperparameters. Each calls back with
// what changed; what that means for the network is app.js's business.

import { full, parseNumber, sub } from './format.js';
import { state, OPTIMIZERS, sizes, isBatch } from './model.js';

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'softmax'];
export const MAX_UNITS = 6;
export const MAX_HIDDEN_LAYERS = 4;

function element(tag, props = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/**
 * One row per layer: "layer l: − N + units, activation". The output layer's width is the data's
 * (its number of targets), so only hidden layers have − and +.
 * `onUnits(l, delta)` and `onActivation(l, name)` report a change.
 */
export function renderLayers(container, { onUnits, onActivation }) {
  container.replaceChildren();
  const s = sizes();
  state.network.layers.forEach((layer, l) => {
    const output = l === state.network.layers.length - 1;
    const row = element('div', { className: 'layer-row' });
    row.append(element('span', { className: 'layer-name', textContent: output ? `layer ${l + 1} (output)` : `layer ${l + 1}` }));
    if (!output) {
      const minus = element('button', { type: 'button', textContent: '−', title: 'one unit fewer', disabled: s[l + 1] <= 1 });
      minus.setAttribute('aria-label', `one unit fewer in layer ${l + 1}`);
      minus.addEventListener('click', () => onUnits(l, -1));
      const plus = element('button', { type: 'button', textContent: '+', title: 'one unit more', disabled: s[l + 1] >= MAX_UNITS });
      plus.setAttribute('aria-label', `one unit more in layer ${l + 1}`);
      plus.addEventListener('click', () => onUnits(l, +1));
      row.append(minus, element('span', { className: 'units', textContent: `${s[l + 1]} units` }), plus);
    } else {
      row.append(element('span', { className: 'units', textContent: `${s[l + 1]} unit${s[l + 1] === 1 ? '' : 's'}` }));
    }
    const select = element('select', {}, ACTIVATIONS.map(a => element('option', { value: a, textContent: a })));
    select.value = layer.activation || 'sigmoid';
    select.setAttribute('aria-label', `activation of layer ${l + 1}`);
    select.setAttribute('data-testid', `activation-${l}`);
    select.addEventListener('change', () => onActivation(l, select.value));
    row.append(select);
    container.append(row);
  });
}

/** The textbook sample's input x and target t as number fields; `onChange()` after an edit. */
export function renderSampleFields(container, onChange) {
  container.replaceChildren();
  if (isBatch()) return;
  const field = (name, vector, k, testId) => {
    const input = element('input', { type: 'text', inputMode: 'decimal', value: full(vector[k]) });
    input.setAttribute('data-testid', testId);
    input.addEventListener('change', () => {
      const v = parseNumber(input.value);
      if (v === null) { input.setCustomValidity('a number, please'); input.reportValidity(); return; }
      input.setCustomValidity('');
      vector[k] = v;
      onChange();
    });
    return element('label', {}, [`${name}${sub(k + 1)} `, input]);
  };
  state.data.input.forEach((_, k) => container.append(field('x', state.data.input, k, `input-${k}`)));
  state.data.target.forEach((_, k) => container.append(field('t', state.data.target, k, `target-${k}`)));
}

const HYPER_LABELS = {
  momentum: 'momentum', dampening: 'dampening', nesterov: 'nesterov', lrDecay: 'lr decay',
  initialAccumulatorValue: 'initial accumulator', eps: 'eps', alpha: 'alpha', centered: 'centered',
  betas: 'betas', weightDecay: 'weight decay (decoupled)',
};

/** The chosen optimizer's hyperparameters, PyTorch's defaults filled in; `onChange()` after an edit. */
export function renderHyperparameters(container, onChange) {
  container.replaceChildren();
  const { name, hyper } = state.optimizer;
  for (const key of Object.keys(OPTIMIZERS[name])) {
    const value = hyper[key];
    if (typeof value === 'boolean') {
      const box = element('input', { type: 'checkbox', checked: value });
      box.addEventListener('change', () => { hyper[key] = box.checked; onChange(); });
      container.append(element('label', { className: 'check' }, [box, ` ${HYPER_LABELS[key]}`]));
    } else if (Array.isArray(value)) {
      value.forEach((v, k) => container.append(numberField(`${HYPER_LABELS[key]} β${sub(k + 1)}`, v, x => { hyper[key][k] = x; onChange(); })));
    } else {
      container.append(numberField(HYPER_LABELS[key], value, x => { hyper[key] = x; onChange(); }));
    }
  }
}

function numberField(label, value, set) {
  const input = element('input', { type: 'text', inputMode: 'decimal', value: full(value) });
  input.addEventListener('change', () => {
    const v = parseNumber(input.value);
    if (v === null) { input.setCustomValidity('a number, please'); input.reportValidity(); return; }
    input.setCustomValidity('');
    set(v);
  });
  return element('label', {}, [`${label} `, input]);
}
