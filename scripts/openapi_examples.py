#!/usr/bin/env python3
"""Computes the numbers in openapi.yaml's examples: the textbook 2-2-2 sigmoid network.

Plain Python floats (IEEE float64) and the formulas of docs/backprop.md, nothing else, so the
examples are reproducible by anyone. Prints JSON; numbers use repr() (shortest round-trip form).
Not a reference implementation of the service: bit-level agreement in the last place is not the
point here (the server's summation order may differ), realistic examples are.
"""
import json
import math

W1 = [[0.1, 0.2], [0.3, 0.4]]
B1 = [0.25, 0.25]
W2 = [[0.5, 0.6], [0.7, 0.8]]
X = [0.5, 0.9]
T = [0.0, 1.0]


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


def forward(layers, x):
    """a(l) = W(l) z(l-1) + b(l); z(l) = sigmoid(a(l)). Returns [(a, z)] per layer."""
    out, z = [], x
    for w, b in layers:
        a = []
        for j, row in enumerate(w):
            s = 0.0
            for i, wji in enumerate(row):
                s += wji * z[i]
            if b is not None:
                s += b[j]
            a.append(s)
        z = [sigmoid(v) for v in a]
        out.append((a, z))
    return out


def half_sse(y, t):
    return 0.5 * sum((tk - yk) ** 2 for tk, yk in zip(t, y))


def backward(layers, x, t):
    """δ(L) = z(1-z) ⊙ (y - t); δ(l) = z(1-z) ⊙ (W(l+1)ᵀ δ(l+1)); dW = δ zᵀ(l-1); db = δ."""
    fw = forward(layers, x)
    deltas = [None] * len(layers)
    y = fw[-1][1]
    deltas[-1] = [(z * (1.0 - z)) * (yk - tk) for z, yk, tk in zip(y, y, t)]
    for l in range(len(layers) - 2, -1, -1):
        w_above = layers[l + 1][0]
        d_above = deltas[l + 1]
        z = fw[l][1]
        back = []
        for i in range(len(z)):
            s = 0.0
            for k in range(len(d_above)):
                s += w_above[k][i] * d_above[k]
            back.append(s)
        deltas[l] = [(zi * (1.0 - zi)) * bi for zi, bi in zip(z, back)]
    result = []
    for l, (w, b) in enumerate(layers):
        below = x if l == 0 else fw[l - 1][1]
        d = deltas[l]
        layer = {
            "weightedSums": fw[l][0],
            "outputs": fw[l][1],
            "deltas": d,
            "weightGradients": [[d[j] * below[i] for i in range(len(below))] for j in range(len(d))],
        }
        if b is not None:
            layer["biasGradients"] = list(d)
        result.append(layer)
    return fw[-1][1], half_sse(y, t), result


def wire_network(layers):
    out = []
    for w, b in layers:
        layer = {"weights": w}
        if b is not None:
            layer["biases"] = b
        layer["activation"] = "sigmoid"
        out.append(layer)
    return {"layers": out}


def main():
    net = [(W1, B1), (W2, None)]
    examples = {}

    fw = forward(net, X)
    examples["forward"] = {
        "output": fw[-1][1],
        "layers": [{"weightedSums": a, "outputs": z} for a, z in fw],
        "loss": half_sse(fw[-1][1], T),
    }

    y, loss, layers = backward(net, X, T)
    examples["gradients"] = {"loss": loss, "output": y, "layers": layers}

    eta = 0.5
    updated = []
    for (w, b), g in zip(net, layers):
        nw = [[wji - eta * gji for wji, gji in zip(row, grow)] for row, grow in zip(w, g["weightGradients"])]
        nb = None if b is None else [bj - eta * gj for bj, gj in zip(b, g["biasGradients"])]
        updated.append((nw, nb))
    examples["step"] = {
        "network": wire_network(updated),
        "loss": loss,
        "losses": [loss],
        "finalLoss": half_sse(forward(updated, X)[-1][1], T),
        "layers": layers,
    }

    # /explain: textbook network without biases, weight w^{(1)}_{11} = layers[0].weights[0][0].
    plain = [(W1, None), (W2, None)]
    y, loss, layers = backward(plain, X, T)
    d_out = layers[1]["deltas"]
    z1 = layers[0]["outputs"][0]
    dE_dz = 0.0
    for k in range(2):
        dE_dz += W2[k][0] * d_out[k]
    dz_da = z1 * (1.0 - z1)
    da_dw = X[0]
    gradient = layers[0]["weightGradients"][0][0]
    examples["explain"] = {
        "loss": loss,
        "factors": [dE_dz, dz_da, da_dw],
        "product": dE_dz * dz_da * da_dw,
        "delta": layers[0]["deltas"][0],
        "deltas_out": d_out,
        "z1": z1,
        "gradient": gradient,
        "updated": W1[0][0] - 1.0 * gradient,
    }
    print(json.dumps(examples, indent=1))


if __name__ == "__main__":
    main()
