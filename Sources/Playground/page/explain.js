// The selected weight's (or bias's) derivation from POST /explain: typeset with KaTeX when the server
// has Debian's libjs-katex, always also the server's plain text beside it, every number as the
// server printed it (shortest round-trip float64, so never fewer digits than the value has).

import { full, weightSymbol, biasSymbol, parseNumber } from './format.js';

/** KaTeX when its script loaded (window.katex), else null: the page then shows the text only. */
const katex = () => (typeof window.katex === 'object' && window.katex && typeof window.katex.render === 'function' ? window.katex : null);

/** Splits `s` at `sep` where no brace or bracket is open. */
function splitTopLevel(s, sep) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < s.length; k++) {
    const ch = s[k];
    if (ch === '{' || ch === '(' || ch === '[') depth++;
    else if (ch === '}' || ch === ')' || ch === ']') depth--;
    else if (depth === 0 && s.startsWith(sep, k)) {
      parts.push(s.slice(start, k));
      start = k + sep.length;
      k += sep.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/**
 * The server writes the derivation as one line, "lhs = factors = expressions = numbers = result"
 * (and for a batch "… \qquad \text{sample 0: } …"). Aligned at its = signs, one step a line, it
 * reads as the textbook writes it and fits a narrow column.
 */
export function alignedDerivations(latex, width = 58) {
  return latex.split(' \\qquad ').map(equation => {
    const parts = splitTopLevel(equation.trim(), ' = ');
    if (parts.length < 2) return equation;
    const rows = parts.slice(1).map(row => wrapProduct(row, width)).join(' \\\\ &= ');
    // A long left side (a batch's "sample 0: …" line) gets lines of its own, all flush left.
    if (visibleLength(parts[0]) > width) {
      return `\\begin{aligned} & ${wrapProduct(parts[0], width)} \\\\ &= ${rows} \\end{aligned}`;
    }
    return `\\begin{aligned} ${parts[0]} &= ${rows} \\end{aligned}`;
  });
}

/** What a reader sees of some TeX, roughly: its length without commands and braces. */
const visibleLength = tex => tex.replace(/\\[a-zA-Z]+/g, 'x').replace(/[{}^_ ]/g, '').length;

/** A product too long for a line (numbers of 17 digits make them so) broken before a top-level
 * factor, the next line starting with its · under the first. */
function wrapProduct(row, width) {
  if (visibleLength(row) <= width) return row;
  const lines = [];
  let line = '';
  for (const factor of splitTopLevel(row, ' \\cdot ')) {
    if (line && visibleLength(line) + visibleLength(factor) > width) {
      lines.push(line);
      line = factor;
    } else {
      line = line ? `${line} \\cdot ${factor}` : factor;
    }
  }
  lines.push(line);
  return lines.join(' \\\\ &\\quad \\cdot ');
}

/** Typesets `tex` into `node` with KaTeX (through the DOM: the CSP allows no style attributes,
 * which renderToString's markup carries); false when it cannot, so the caller shows text. */
function typeset(tex, node, displayMode) {
  const k = katex();
  if (!k) return false;
  try {
    k.render(tex, node, { displayMode, throwOnError: true });
    return true;
  } catch (e) {
    console.warn('KaTeX could not typeset', tex, e);  // a warning, not an error: the text is shown
    return false;
  }
}

/** The notation's symbols as the server's text form writes them: z^{(1)}_{1} → z^(1)_1. */
const plain = s => s.replace(/\{([^{}]*)\}/g, '$1');

function element(tag, cls, textContent) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (textContent !== undefined) e.textContent = textContent;
  return e;
}

/**
 * Fills `panel` with the answer of /explain for `selection` (`batch`: the request had a batch
 * of samples). `onEdit(value)` is called when the user types a new value for the parameter.
 */
export function showExplanation(panel, selection, answer, { learningRate, batch }, onEdit) {
  panel.replaceChildren();
  const isBias = selection.kind === 'bias';
  const symbol = isBias ? biasSymbol(selection.layer, selection.unit) : weightSymbol(selection.layer, selection.unit, selection.input);
  const parameter = isBias ? answer.bias : answer.weight;

  const head = element('div', 'explain-head');
  const title = element('h3', '', `∂E/∂${symbol}`);
  const where = isBias
    ? `layers[${selection.layer}].biases[${selection.unit}]`
    : `layers[${selection.layer}].weights[${selection.unit}][${selection.input}]`;
  head.append(title, element('code', 'where', where));

  // Editing the value here is "edit any weight by typing".
  const edit = element('label', 'edit');
  edit.append(`${symbol} = `);
  const input = element('input');
  input.type = 'text';
  input.inputMode = 'decimal';
  input.value = full(parameter ? parameter.value : NaN);
  input.setAttribute('data-testid', 'selected-value');
  input.setAttribute('aria-label', `value of ${symbol}`);
  input.addEventListener('change', () => {
    const v = parseNumber(input.value);
    if (v === null) input.setCustomValidity('a number, please');
    else { input.setCustomValidity(''); onEdit(v); }
    input.reportValidity();
  });
  edit.append(input);
  head.append(edit);
  panel.append(head);

  const columns = element('div', 'explain-columns');
  const math = element('div', 'math');
  math.setAttribute('data-testid', 'explanation-math');
  let typeset_ = true;
  // About 11 px a character of typeset numbers: wrap to the panel's width.
  const width = Math.max(30, Math.floor((panel.clientWidth || 700) / 11));
  for (const tex of alignedDerivations(answer.latex, width)) {
    const block = element('div', 'math-block');
    if (!typeset(tex, block, true)) { typeset_ = false; break; }
    math.append(block);
  }
  const textSide = element('div', 'text-side');
  const pre = element('pre', 'derivation-text', answer.text);
  pre.setAttribute('data-testid', 'explanation-text');
  if (typeset_) {
    columns.append(math, textSide);
  } else {
    columns.append(textSide);
    textSide.append(element('p', 'small', 'KaTeX is not installed on this server (Debian: apt-get install libjs-katex), so here is the derivation as text.'));
  }
  textSide.append(pre);
  panel.append(columns);

  // The factors one by one, and what the step does with their product.
  const table = element('table', 'factors');
  const caption = element('caption', '', batch
    ? 'The chain-rule factors for sample 0; the gradient is the mean of such products over the samples'
    : 'The chain-rule factors; their product is the gradient');
  table.append(caption);
  for (const f of answer.factors || []) {
    const tr = element('tr');
    const sym = element('td', 'factor');
    if (!typeset(f.latex, sym, false)) sym.textContent = plain(`${f.symbol} = ${f.expression}`);
    tr.append(sym, element('td', 'num', full(f.value)));
    table.append(tr);
  }
  const sums = [
    [`∂E/∂${symbol}`, answer.gradient, 'gradient'],
    [answer.delta ? plain(answer.delta.symbol) : 'δ', answer.delta ? answer.delta.value : NaN, 'delta'],
    [`${symbol} − η·∂E/∂${symbol} (η = ${learningRate})`, answer.updated, 'updated'],
  ];
  for (const [label, value, id] of sums) {
    const tr = element('tr', 'total');
    const td = element('td', 'num', full(value));
    td.setAttribute('data-testid', `explanation-${id}`);
    tr.append(element('td', '', label), td);
    table.append(tr);
  }
  panel.append(table);
  if (answer.note) panel.append(element('p', 'note', answer.note));
}

/** The panel when /explain failed: what the server said. */
export function showExplanationError(panel, selection, message) {
  panel.replaceChildren();
  const isBias = selection.kind === 'bias';
  const symbol = isBias ? biasSymbol(selection.layer, selection.unit) : weightSymbol(selection.layer, selection.unit, selection.input);
  panel.append(element('h3', '', `∂E/∂${symbol}`), element('p', 'error', message));
  if (isBias) panel.append(element('p', 'small', 'Explaining a bias needs the v2 API ("bias" in POST /explain).'));
}
