// The decision boundary of a two-input, one-output network: its output over a grid of the input
// plane (one POST /forward with the grid as `inputs`), coloured from orange (0) through white to
// blue (1), with the samples on top (training filled, validation hollow).

export const EXTENT = 1.3;   // the plane shown is [−EXTENT, EXTENT]²
const GRID = 40;

/** The grid's points, row by row from the top: the `inputs` of the /forward request. */
export function gridInputs() {
  const points = [];
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const x = -EXTENT + (2 * EXTENT * (c + 0.5)) / GRID;
      const y = EXTENT - (2 * EXTENT * (r + 0.5)) / GRID;
      points.push([Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]);
    }
  }
  return points;
}

const ORANGE = [234, 88, 12];
const BLUE = [37, 99, 235];

/** The colour of an output v in [0, 1]: orange at 0, white at ½, blue at 1. */
function colour(v, alpha = 1) {
  const t = Math.min(1, Math.max(0, v));
  const [end, k] = t < 0.5 ? [ORANGE, 1 - 2 * t] : [BLUE, 2 * t - 1];
  const mix = end.map(c => Math.round(255 + (c - 255) * k * 0.75));
  return `rgba(${mix[0]}, ${mix[1]}, ${mix[2]}, ${alpha})`;
}

/** Draws `outputs` (one row per grid point, first output used) and the data onto `canvas`. */
export function drawHeatmap(canvas, outputs, data) {
  const ctx = canvas.getContext('2d');
  const size = canvas.width;
  const cell = size / GRID;
  ctx.clearRect(0, 0, size, size);
  if (outputs) {
    outputs.forEach((row, n) => {
      ctx.fillStyle = colour(row[0]);
      ctx.fillRect((n % GRID) * cell, Math.floor(n / GRID) * cell, Math.ceil(cell), Math.ceil(cell));
    });
  }
  const toPixel = ([x, y]) => [((x + EXTENT) / (2 * EXTENT)) * size, ((EXTENT - y) / (2 * EXTENT)) * size];
  const dots = (inputs, targets, hollow) => inputs.forEach((p, n) => {
    const [px, py] = toPixel(p);
    ctx.beginPath();
    ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
    const c = targets[n][0] >= 0.5 ? 'rgb(29, 78, 216)' : 'rgb(194, 65, 12)';
    if (hollow) {
      ctx.strokeStyle = c;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    } else {
      ctx.fillStyle = c;
      ctx.fill();
      ctx.strokeStyle = 'white';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  });
  dots(data.inputs, data.targets, false);
  if (data.validation && data.showValidation) dots(data.validation.inputs, data.validation.targets, true);
}
