#!/usr/bin/env python3
"""numpy doing what issue 14's speed check times in the service: training a 784-128-10 network
on mini-batches of 64 out of 1 024 samples for 100 steps, with plain SGD and with Adam; prints
the milliseconds per step of each, and of the optimizer update alone.

The network is CoreBenchmark's 784-128-10: sigmoid on both layers, biases, half_sse loss
(E = 1/2 sum (t - y)^2), mean over the batch; inputs in [0, 1), one-hot targets, weights uniform
in +-2^-k ~ 1/sqrt(I). The batches follow the API contract's schedule (Fisher-Yates driven by
SplitMix64 from seed + epoch), written out below. Adam is PyTorch's single-tensor update with
its defaults (lerp for m, ((1-b2)*g)*g, sqrt(v)/sqrt(1-b2^t) + eps, w - (lr/(1-b1^t))*m/denom),
in place with preallocated temporaries, as fast as numpy allows. float64 throughout.

    OPENBLAS_NUM_THREADS=1 python3 Benchmarks/optimizer_numpy.py [--repeats R]

One BLAS thread by default (the script sets it unless the variable is already set), as the
service configures OpenBLAS: requests run side by side, one core each. Reports the best of R
runs of 100 steps (default 5). numpy's own OpenBLAS build may differ from the system one the
service links.
"""

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402  (after the thread settings, which OpenBLAS reads at load)

SIZES = (784, 128, 10)
SAMPLES, BATCH, STEPS = 1024, 64, 100
MASK = (1 << 64) - 1


def splitmix64(state):
    """The contract's generator: yields next() forever from `state`."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def epoch_order(n, seed, epoch):
    """order_e: Fisher-Yates on 0..n-1 with SplitMix64 seeded with seed + e (mod 2^64)."""
    order = list(range(n))
    rng = splitmix64((seed + epoch) & MASK)
    for i in range(n - 1, 0, -1):
        j = next(rng) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order)


def sigmoid(a, out):
    np.negative(a, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


class Net:
    def __init__(self, rng):
        self.params = []
        for i, j in zip(SIZES[:-1], SIZES[1:]):
            bound = 1.0
            while bound * bound * i > 1:
                bound *= 0.5
            self.params.append(rng.uniform(-bound, bound, size=(j, i)))
            self.params.append(rng.uniform(-0.1, 0.1, size=j))

    def gradients(self, x, t):
        """Forward and backward over a batch: the loss and dW1, db1, dW2, db2 (mean reduction)."""
        w1, b1, w2, b2 = self.params
        n = x.shape[0]
        z1 = x @ w1.T
        z1 += b1
        sigmoid(z1, z1)
        y = z1 @ w2.T
        y += b2
        sigmoid(y, y)
        diff = y - t
        loss = 0.5 * np.einsum("ij,ij->", diff, diff) / n
        d2 = diff * y * (1.0 - y)                      # delta(2) = (y - t) y (1 - y)
        dw2 = (d2.T @ z1) * (1.0 / n)
        db2 = d2.sum(axis=0) * (1.0 / n)
        d1 = (d2 @ w2) * z1 * (1.0 - z1)               # delta(1) = (delta(2) W2) z1 (1 - z1)
        dw1 = (d1.T @ x) * (1.0 / n)
        db1 = d1.sum(axis=0) * (1.0 / n)
        return loss, [dw1, db1, dw2, db2]


class SGD:
    def __init__(self, params, lr):
        self.lr = lr

    def step(self, params, grads):
        for w, g in zip(params, grads):
            w -= self.lr * g


class Adam:
    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8):
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]
        self.tmp2 = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        bc1 = 1 - self.b1 ** self.t
        bc2_sqrt = (1 - self.b2 ** self.t) ** 0.5
        step_size = self.lr / bc1
        for w, g, m, v, tmp, tmp2 in zip(params, grads, self.m, self.v, self.tmp, self.tmp2):
            np.subtract(g, m, out=tmp)                 # m <- lerp(m, g, 1 - b1) = m + (1 - b1)(g - m)
            tmp *= 1 - self.b1
            m += tmp
            v *= self.b2                               # v <- b2 v + ((1 - b2) g) g
            np.multiply(g, 1 - self.b2, out=tmp)
            tmp *= g
            v += tmp
            np.sqrt(v, out=tmp)                        # denom = sqrt(v) / sqrt(1 - b2^t) + eps
            tmp /= bc2_sqrt
            tmp += self.eps
            np.multiply(m, step_size, out=tmp2)        # w <- w - (step_size m) / denom
            tmp2 /= tmp
            w -= tmp2


def run(optimizer_class, lr, data, repeats):
    """Best of `repeats` runs of STEPS steps: total seconds, and seconds in optimizer.step."""
    x_all, t_all = data
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        net = Net(np.random.default_rng(42))
        optimizer = optimizer_class(net.params, lr)
        batches_per_epoch = -(-SAMPLES // BATCH)
        order, order_epoch = None, -1
        in_optimizer = 0.0
        start = time.perf_counter()
        for step in range(STEPS):
            epoch, k = divmod(step, batches_per_epoch)
            if epoch != order_epoch:
                order, order_epoch = epoch_order(SAMPLES, 0, epoch), epoch
            rows = order[k * BATCH:min((k + 1) * BATCH, SAMPLES)]
            loss, grads = net.gradients(x_all[rows], t_all[rows])
            t0 = time.perf_counter()
            optimizer.step(net.params, grads)
            in_optimizer += time.perf_counter() - t0
        total = time.perf_counter() - start
        if not np.isfinite(loss):
            raise SystemExit("training diverged")
        best = min(best, (total, in_optimizer))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=(SAMPLES, SIZES[0]))
    t = np.zeros((SAMPLES, SIZES[-1]))
    t[np.arange(SAMPLES), rng.integers(0, SIZES[-1], size=SAMPLES)] = 1.0
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"784-128-10 sigmoid/half_sse, batch {BATCH} of {SAMPLES}, {STEPS} steps, best of {args.repeats}")
    sgd = run(SGD, 0.1, (x, t), args.repeats)
    adam = run(Adam, 1e-3, (x, t), args.repeats)
    for name, (total, opt) in (("sgd", sgd), ("adam", adam)):
        print(f"{name:5s} {total / STEPS * 1e3:8.4f} ms/step   optimizer alone {opt / STEPS * 1e3:8.4f} ms/step")
    print(f"adam over sgd: {(adam[0] / sgd[0] - 1) * 100:+.1f} % per step")


if __name__ == "__main__":
    main()
