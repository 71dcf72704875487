// The network as an SVG diagram: a column per layer, each unit with its numbers (x; a, z or y, t,
// δ), each edge coloured and sized by its weight (or by ∂E/∂w), each weight's label a button that
// selects it (data-testid weight-L-J-I; a bias's, bias-L-J). Drawn from the state; keeps none.

import { short, weightSymbol, biasSymbol, sub, sup } from './format.js';
import { state, sizes, isBatch } from './model.js';

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element. Presentation attributes only, never `style`: the page's CSP refuses those. */
function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function text(parent, x, y, content, cls) {
  const t = el('text', { x, y, class: cls }, parent);
  t.textContent = content;
  return t;
}

/** The shown sample's row of a per-sample quantity (vectors for `input`, N rows for `inputs`). */
function rowOf(v) {
  if (!v) return null;
  return Array.isArray(v[0]) ? v[Math.min(state.sample, v.length - 1)] : v;
}

const sameSelection = (a, b) => a && b && a.kind === b.kind && a.layer === b.layer && a.unit === b.unit && a.input === b.input;

/** A focusable label that selects `selection` on click, Enter or Space. */
function selectable(parent, selection, testId, ariaLabel, onSelect) {
  const g = el('g', { class: 'pick', tabindex: '0', role: 'button', 'data-testid': testId, 'aria-label': ariaLabel }, parent);
  if (sameSelection(selection, state.selected)) g.classList.add('selected');
  g.addEventListener('click', () => onSelect(selection));
  g.addEventListener('keydown', e => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(selection);
    }
  });
  return g;
}

/** A label's text lines on a rounded background, centred on (x, y). */
function labelBox(g, x, y, lines) {
  const rect = el('rect', { rx: 4, ry: 4 }, g);
  const lineHeight = 13;
  const y0 = y - ((lines.length - 1) * lineHeight) / 2 + 4;
  const texts = lines.map((line, k) => text(g, x, y0 + k * lineHeight, line, k === 0 ? 'label-main' : 'label-grad'));
  // Measured after insertion (getBBox needs the element in the document).
  const w = Math.max(...texts.map(t => t.getComputedTextLength())) + 10;
  const h = lines.length * lineHeight + 6;
  rect.setAttribute('x', x - w / 2);
  rect.setAttribute('y', y - h / 2);
  rect.setAttribute('width', w);
  rect.setAttribute('height', h);
}

export function drawNetwork(svg, onSelect) {
  const s = sizes();                       // [inputs, units of layer 1, …, outputs]
  const L = s.length - 1;
  const maxUnits = Math.max(...s);
  // Up to 2 units a layer there is room for symbol, value and gradient on every edge; up to 4,
  // for the value (columns 320 apart keep neighbouring labels clear); beyond, a label shows
  // only while its edge is hovered, focused or selected.
  const roomy = maxUnits <= 2;
  const quiet = maxUnits > 4;
  const colGap = roomy || quiet ? 300 : 320;
  const rowGap = 130;
  const r = 24;
  const left = 90;
  const hasBiases = state.network.layers.some(l => Array.isArray(l.biases));
  const top = hasBiases ? 40 : 16;       // room above the first unit for its bias label
  const width = left * 2 + colGap * L;
  // Below the last row: an output unit's four lines of values (a, y, t, δ) under its circle.
  const height = top + rowGap * maxUnits + 30;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.replaceChildren();

  const pos = (c, k) => [left + c * colGap, top + rowGap * (k + 0.5 + (maxUnits - s[c]) / 2)];
  const layersF = state.forward ? state.forward.layers : null;
  const layersG = state.phase === 'backward' && state.gradients ? state.gradients.layers : null;
  const byGradient = document.getElementById('edge-mode')?.value === 'gradient' && layersG;

  // Edges' scale: the largest |value| shown gets the widest stroke.
  let maxAbs = 1e-12;
  state.network.layers.forEach((layer, l) => layer.weights.forEach((row, j) => row.forEach((w, i) => {
    const v = byGradient ? layersG[l].weightGradients[j][i] : w;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  })));

  const edges = el('g', { class: 'edges' }, svg);
  const units = el('g', { class: 'units' }, svg);
  const labels = el('g', { class: 'labels' }, svg);

  // Column headings.
  for (let c = 0; c <= L; c++) {
    const [x] = pos(c, 0);
    const heading = c === 0 ? 'input' : `layer ${c} · ${state.network.layers[c - 1].activation || 'sigmoid'}${c === L ? ' · output' : ''}`;
    text(units, x, 22, heading, 'column-heading');
  }

  state.network.layers.forEach((layer, l) => {
    const nOut = layer.weights.length;
    layer.weights.forEach((row, j) => {
      // Labels sit at a fraction along the edge that depends on the unit fed, so that the labels
      // of crossing edges do not cover each other.
      // Two labels fed the same unit are (1 − t)·130 px apart: t ≤ 0.7 keeps two-line labels clear.
      const t = nOut === 1 ? 0.5 : 0.22 + (0.48 * j) / (nOut - 1);
      row.forEach((w, i) => {
        const [x1, y1] = pos(l, i);
        const [x2, y2] = pos(l + 1, j);
        const grad = layersG ? layersG[l].weightGradients[j][i] : null;
        const v = byGradient ? grad : w;
        const selection = { kind: 'weight', layer: l, unit: j, input: i };
        const line = el('line', {
          x1: x1 + r, y1, x2: x2 - r, y2,
          class: `edge ${v >= 0 ? 'positive' : 'negative'}`,
          'stroke-width': (1 + (5 * Math.abs(v)) / maxAbs).toFixed(2),
          'stroke-opacity': (0.35 + (0.65 * Math.abs(v)) / maxAbs).toFixed(2),
        }, edges);
        if (sameSelection(selection, state.selected)) line.classList.add('selected');
        // A wide transparent twin of the line: an edge is easy to hit with a mouse or a finger.
        el('line', { x1: x1 + r, y1, x2: x2 - r, y2, class: 'edge-hit' }, edges)
          .addEventListener('click', () => onSelect(selection));

        const symbol = weightSymbol(l, j, i);
        const aria = `${symbol} = ${w}${grad !== null ? `, ∂E/∂w = ${grad}` : ''}`;
        const g = selectable(labels, selection, `weight-${l}-${j}-${i}`, aria, onSelect);
        if (quiet) g.classList.add('quiet');
        el('title', {}, g).textContent = aria;
        const lx = x1 + r + (x2 - x1 - 2 * r) * t;
        const ly = y1 + (y2 - y1) * t;
        const lines = roomy
          ? [`${symbol} = ${short(w)}`, ...(grad !== null ? [`∂E/∂w = ${short(grad)}`] : [])]
          : [short(byGradient ? grad : w, 3)];
        labelBox(g, lx, ly, lines);
      });
    });
  });

  // Units, inputs first.
  const x0 = rowOf(isBatch() ? state.data.inputs : state.data.input) || [];
  const t0 = rowOf(isBatch() ? state.data.targets : state.data.target) || [];
  for (let c = 0; c <= L; c++) {
    for (let k = 0; k < s[c]; k++) {
      const [x, y] = pos(c, k);
      const output = c === L;
      el('circle', { cx: x, cy: y, r, class: c === 0 ? 'unit input' : output ? 'unit output' : 'unit hidden' }, units);
      const name = c === 0 ? `x${sub(k + 1)}` : output ? `y${sub(k + 1)}` : `z⁽${sup(c)}⁾${sub(k + 1)}`;
      text(units, x, y + 5, name, 'unit-name');
      const values = [];
      if (c === 0) {
        values.push(`x = ${short(x0[k])}`);
      } else {
        const f = layersF && layersF[c - 1];
        if (f) {
          values.push(`a = ${short(rowOf(f.weightedSums)[k])}`);
          values.push(`${output ? 'y' : 'z'} = ${short(rowOf(f.outputs)[k])}`);
        }
        if (output && t0.length) values.push(`t = ${short(t0[k])}`);
        if (layersG) values.push(`δ = ${short(rowOf(layersG[c - 1].deltas)[k])}`);
      }
      values.forEach((v, n) => text(units, x, y + r + 14 + n * 13, v, 'unit-value'));

      const biases = c > 0 && state.network.layers[c - 1].biases;
      if (biases) {
        const l = c - 1;
        const b = biases[k];
        const selection = { kind: 'bias', layer: l, unit: k };
        const symbol = biasSymbol(l, k);
        const g = selectable(labels, selection, `bias-${l}-${k}`, `${symbol} = ${b}`, onSelect);
        el('title', {}, g).textContent = `${symbol} = ${b}`;
        labelBox(g, x, y - r - 12, [roomy ? `${symbol} = ${short(b)}` : `b ${short(b, 3)}`]);
      }
    }
  }
}
