// The bridge from the page to a terminal or a notebook: the last request as a curl command, and
// the network (with the optimizer's state) as JSON to export and import. The exported object has
// exactly the fields a /step request takes, so it can be pasted into one.

/** A POSIX shell word: single quotes, each ' inside written as '\''. */
export const shellQuote = s => `'${s.replace(/'/g, "'\\''")}'`;

/** `curl` for an exchange {path, body}: the same bytes, to this server, as this page sent them. */
export function curlCommand(exchange, origin = window.location.origin) {
  return `curl -s ${origin}${exchange.path} -H 'Content-Type: application/json' -d ${shellQuote(exchange.body)}`;
}

/** {network, optimizer?}: what to export. */
export function exportObject(network, optimizer) {
  return optimizer ? { network, optimizer } : { network };
}

/**
 * The network (and optimizer, if any) in pasted JSON: an exported object, a /step request or
 * answer, or a bare {layers: …}. Throws an Error that says what is wrong. The server checks the
 * numbers; this only checks the shape the page needs to draw it.
 */
export function parseImport(text, inputs, outputs) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON: ${e.message}`);
  }
  const network = value && (value.network || (Array.isArray(value.layers) ? value : null));
  if (!network || !Array.isArray(network.layers) || network.layers.length === 0) {
    throw new Error('expected {"network": {"layers": [...]}} (or {"layers": [...]})');
  }
  let width = inputs;
  network.layers.forEach((layer, l) => {
    const w = layer.weights;
    if (!Array.isArray(w) || w.length === 0 || !w.every(row => Array.isArray(row) && row.length === width && row.every(Number.isFinite))) {
      throw new Error(`layers[${l}].weights: expected rows of ${width} numbers`);
    }
    if (layer.biases !== undefined && !(Array.isArray(layer.biases) && layer.biases.length === w.length && layer.biases.every(Number.isFinite))) {
      throw new Error(`layers[${l}].biases: expected ${w.length} numbers`);
    }
    width = w.length;
  });
  if (width !== outputs) {
    throw new Error(`the network has ${width} output${width === 1 ? '' : 's'}; the data has ${outputs} target${outputs === 1 ? '' : 's'} per sample`);
  }
  const optimizer = value.optimizer && typeof value.optimizer === 'object' ? value.optimizer : null;
  return { network, optimizer };
}
