// Numbers and symbols as the page shows them: the server's own digits wherever precision is the
// point (the derivation, the loss), a few significant digits where space is short (the diagram).

/** At most `digits` significant digits, trailing zeros dropped: 0.0001883, -1.25, 3.2e-7. */
export function short(v, digits = 4) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e5) return String(Number(v.toPrecision(digits)));
  return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
}

/** The float64 in full: the shortest text that reads back as the same number, as the server prints. */
export const full = v => String(v);

const SUB = '₀₁₂₃₄₅₆₇₈₉';
const SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
export const sub = n => String(n).replace(/\d/g, d => SUB[d]);
export const sup = n => String(n).replace(/\d/g, d => SUP[d]);

/** w⁽ˡ⁾ⱼᵢ with the textbook's 1-based indices: w⁽¹⁾₁₁ is layers[0].weights[0][0]. */
export const weightSymbol = (l, j, i) => `w⁽${sup(l + 1)}⁾${sub(j + 1)}${sub(i + 1)}`;
/** b⁽ˡ⁾ⱼ: layers[l].biases[j]. */
export const biasSymbol = (l, j) => `b⁽${sup(l + 1)}⁾${sub(j + 1)}`;

/** A number typed by the user, or null when it is not one. */
export function parseNumber(text) {
  const t = String(text).trim().replace('−', '-');
  if (t === '') return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}
