// The loss curve, hand-drawn in SVG: the training loss before each step and, when a validation set
// is used, the validation loss. Not Debian's libjs-chart.js: for two polylines it would add 200 kB
// and draw on a canvas that neither the tests nor a screen reader can read; this is 80 lines of DOM.

import { short } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 400;
const H = 170;
const PAD = { left: 52, right: 10, top: 10, bottom: 24 };
const MAX_POINTS = 600;   // a polyline of more points draws no better, only slower

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent.appendChild(e);
  return e;
}

/** Every k-th of `points` ([step, loss] pairs), and always the last. */
function thin(points) {
  if (points.length <= MAX_POINTS) return points;
  const k = Math.ceil(points.length / MAX_POINTS);
  const out = points.filter((_, n) => n % k === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}

/** Draws `losses` (one per step) and `validation` ([step, loss] pairs) into `svg`. */
export function drawLossCurve(svg, losses, validation) {
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren();
  if (losses.length === 0 && validation.length === 0) {
    const t = el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis-label' }, svg);
    t.textContent = 'No steps yet: press Step or Train.';
    svg.setAttribute('aria-label', 'No steps yet');
    return;
  }
  const train = losses.map((v, n) => [n, v]);
  const all = train.concat(validation);
  // Loops, not Math.max(...a): a long training run has more points than a call takes arguments.
  const steps = all.reduce((m, p) => Math.max(m, p[0]), 1);
  const top = all.reduce((m, p) => Math.max(m, p[1]), 0);
  const sx = n => PAD.left + (n / steps) * (W - PAD.left - PAD.right);
  const sy = v => H - PAD.bottom - (v / (top || 1)) * (H - PAD.top - PAD.bottom);

  // Axes: 0 and the largest loss on y, 0 and the last step on x.
  el('line', { x1: PAD.left, y1: sy(0), x2: W - PAD.right, y2: sy(0), class: 'axis' }, svg);
  el('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: sy(0), class: 'axis' }, svg);
  const label = (x, y, s, anchor) => {
    const t = el('text', { x, y, 'text-anchor': anchor, class: 'axis-label' }, svg);
    t.textContent = s;
  };
  label(PAD.left - 4, PAD.top + 8, short(top, 3), 'end');
  label(PAD.left - 4, sy(0), '0', 'end');
  label(PAD.left, H - 6, 'step 0', 'start');
  label(W - PAD.right, H - 6, `${losses.length}`, 'end');

  const line = (points, cls) => {
    if (points.length === 0) return;
    el('polyline', { points: thin(points).map(([n, v]) => `${sx(n).toFixed(1)},${sy(v).toFixed(1)}`).join(' '), class: cls }, svg);
  };
  line(train, 'curve train');
  line(validation, 'curve validation');

  const legend = el('text', { x: W - PAD.right, y: PAD.top + 8, 'text-anchor': 'end', class: 'axis-label' }, svg);
  legend.textContent = validation.length ? 'training — validation ‑‑' : 'training loss before each step';
  svg.setAttribute('aria-label', `Loss over ${losses.length} steps, from ${short(losses[0])} to ${short(losses[losses.length - 1])}`);
}
