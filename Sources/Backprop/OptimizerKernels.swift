// The update rules of torch.optim for one flat parameter tensor, each the elementwise loop of
// PyTorch's single-tensor path with the same operations in the same order (Python scalars are
// float64; PyTorch's CPU kernels compute addcmul as self + (value·t1)·t2, addcdiv as
// self + (value·t1)/t2, lerp(a, b, w) as a + w·(b − a) for |w| < 0.5, else b − (b − a)·(1 − w)).
// No fused multiply-add: where PyTorch's vectorized lerp fuses, results may differ in the last
// bit. One pass per parameter, every buffer read and written in it (Lanes.swift says why lanes).

/// Which array of a parameter's update held ±Infinity or NaN afterwards.
struct NonFiniteArray {
    /// nil: the parameter itself.
    var buffer: StateBuffer?
}

extension StepScalars {
    /// Updates one parameter tensor w (flat) and its buffers in place from its gradient g.
    ///
    /// Missing buffers are created first, as PyTorch initializes its state: zeros, Adagrad's
    /// initial accumulator value, or for SGD's momentum the gradient itself (see `sgd`).
    func update(_ w: inout [Double], gradient g: [Double], state: inout ParameterState) -> NonFiniteArray? {
        precondition(w.count == g.count, "∂E/∂w shaped like w")
        let n = w.count
        /// A buffer taken out of the state (so that it is uniquely held and updated in place),
        /// or a new one with `fill` in every element.
        func take(_ b: StateBuffer, fill: Double) -> [Double] {
            guard let values = state[b].take() else { return fill == 0 ? .zeros(n) : Array(repeating: fill, count: n) }
            precondition(values.count == n, "unchecked state: \(b.rawValue) has \(values.count) numbers for \(n)")
            return values
        }
        let check: SIMD4<UInt64>
        let written: [StateBuffer]
        switch algorithm {
        case .sgd(let momentum, let dampening, let nesterov):
            if momentum == 0 {
                check = w.withUnsafeMutableBufferPointer { w in
                    g.withUnsafeBufferPointer { g in PlainDescent(w: w.baseAddress, g: g.baseAddress, lr: lr).run(count: n) }
                }
                written = []
            } else {
                let fresh = state.momentumBuffer == nil
                var b = take(.momentumBuffer, fill: 0)
                check = w.withUnsafeMutableBufferPointer { w in
                    g.withUnsafeBufferPointer { g in
                        b.withUnsafeMutableBufferPointer { b in
                            SGDMomentum(w: w.baseAddress, g: g.baseAddress, b: b.baseAddress, lr: lr, momentum: momentum,
                                        gradientWeight: 1 - dampening, nesterov: nesterov, fresh: fresh).run(count: n)
                        }
                    }
                }
                state.momentumBuffer = b
                written = [.momentumBuffer]
            }
        case .adagrad(_, let initial, let eps):
            var s = take(.sum, fill: initial)
            check = w.withUnsafeMutableBufferPointer { w in
                g.withUnsafeBufferPointer { g in
                    s.withUnsafeMutableBufferPointer { s in
                        Adagrad(w: w.baseAddress, g: g.baseAddress, s: s.baseAddress, clr: rate, eps: eps).run(count: n)
                    }
                }
            }
            state.sum = s
            written = [.sum]
        case .rmsprop(let alpha, let eps, let momentum, let centered):
            var v = take(.squareAvg, fill: 0)
            var b = momentum > 0 ? take(.momentumBuffer, fill: 0) : []
            var ga = centered ? take(.gradAvg, fill: 0) : []
            check = w.withUnsafeMutableBufferPointer { w in
                g.withUnsafeBufferPointer { g in
                    v.withUnsafeMutableBufferPointer { v in
                        b.withUnsafeMutableBufferPointer { b in
                            ga.withUnsafeMutableBufferPointer { ga in
                                // An empty array's base address need not be nil: say which buffers exist.
                                RMSprop(w: w.baseAddress, g: g.baseAddress, v: v.baseAddress,
                                        b: momentum > 0 ? b.baseAddress : nil, ga: centered ? ga.baseAddress : nil,
                                        lr: lr, alpha: alpha, eps: eps, momentum: momentum).run(count: n)
                            }
                        }
                    }
                }
            }
            state.squareAvg = v
            if momentum > 0 { state.momentumBuffer = b }
            if centered { state.gradAvg = ga }
            written = algorithm.buffers  // squareAvg, then momentumBuffer, then gradAvg: the kernel's order
        case .adam(let beta1, let beta2, let eps), .adamw(let beta1, let beta2, let eps, _):
            var m = take(.expAvg, fill: 0)
            var v = take(.expAvgSq, fill: 0)
            check = w.withUnsafeMutableBufferPointer { w in
                g.withUnsafeBufferPointer { g in
                    m.withUnsafeMutableBufferPointer { m in
                        v.withUnsafeMutableBufferPointer { v in
                            Adam(w: w.baseAddress, g: g.baseAddress, m: m.baseAddress, v: v.baseAddress, decay: decay,
                                 beta1: beta1, beta2: beta2, eps: eps, stepSize: rate, biasCorrection2Root: biasCorrection2Root).run(count: n)
                        }
                    }
                }
            }
            state.expAvg = m
            state.expAvgSq = v
            written = [.expAvg, .expAvgSq]
        }
        if check[0] != 0 { return NonFiniteArray(buffer: nil) }
        for (k, buffer) in written.enumerated() where check[k + 1] != 0 { return NonFiniteArray(buffer: buffer) }
        return nil
    }
}

// MARK: - The loops

/// lerp(a, b, weight) as PyTorch computes it: `base + coefficient · (b − a)`.
///
///     |weight| < 0.5:  a + weight · (b − a)
///     otherwise:       b − (b − a) · (1 − weight)  =  b + (weight − 1) · (b − a)   (exactly: x − y = −(y − x))
///
/// The form is chosen once per step (weight is a hyperparameter), not per element.
struct Lerp {
    let small: Bool
    let coefficient: Double

    init(weight: Double) {
        small = Swift.abs(weight) < 0.5
        coefficient = small ? weight : weight - 1
    }

    @inline(__always)
    func callAsFunction<L: Lanes>(_ a: L, _ b: L, _ coefficient: L) -> L {
        (small ? a : b) + coefficient * (b - a)
    }
}

/// Plain descent, bit for bit the update of a request without an optimizer:
///
///     w ← w − η · g
struct PlainDescent: LaneKernel {
    let w: UnsafeMutablePointer<Double>?, g: UnsafePointer<Double>?
    let lr: Double

    @inline(__always)
    func run<L: Lanes>(_: L.Type, _ range: Range<Int>) -> SIMD4<UInt64> {
        guard let w, let g, !range.isEmpty else { return .zero }
        let lr = L(broadcast: lr)
        var checkW = FiniteCheck<L>()
        for e in stride(from: range.lowerBound, to: range.upperBound, by: L.width) {
            let we = L(w, e) - lr * L(g, e)
            we.store(w, e)
            checkW.add(we)
        }
        return SIMD4(checkW.total, 0, 0, 0)
    }
}

/// `torch.optim.SGD` with momentum μ ≠ 0 (PyTorch's velocity, η outside it; τ = dampening):
///
///     b ← g                               on the first step (PyTorch clones the gradient)
///     b ← μ · b + (1 − τ) · g             afterwards          (buf.mul_(μ).add_(g, alpha=1−τ))
///     d = g + μ · b  (nesterov),  d = b  (otherwise)
///     w ← w − η · d                       (param.add_(d, alpha=−η): w + (−η)·d, the same bits)
struct SGDMomentum: LaneKernel {
    let w: UnsafeMutablePointer<Double>?, g: UnsafePointer<Double>?, b: UnsafeMutablePointer<Double>?
    let lr: Double, momentum: Double
    /// 1 − τ, as PyTorch passes it.
    let gradientWeight: Double
    let nesterov: Bool
    /// No buffer yet: b starts as a clone of g.
    let fresh: Bool

    @inline(__always)
    func run<L: Lanes>(_: L.Type, _ range: Range<Int>) -> SIMD4<UInt64> {
        guard let w, let g, let b, !range.isEmpty else { return .zero }
        let lr = L(broadcast: lr), mu = L(broadcast: momentum), c = L(broadcast: gradientWeight)
        var checkW = FiniteCheck<L>(), checkB = FiniteCheck<L>()
        for e in stride(from: range.lowerBound, to: range.upperBound, by: L.width) {
            let ge = L(g, e)
            let be = fresh ? ge : L(b, e) * mu + c * ge
            let d = nesterov ? ge + mu * be : be
            let we = L(w, e) - lr * d
            be.store(b, e)
            we.store(w, e)
            checkW.add(we)
            checkB.add(be)
        }
        return SIMD4(checkW.total, checkB.total, 0, 0)
    }
}

/// `torch.optim.Adagrad` (s starts at the initial accumulator value):
///
///     clr = η / (1 + (t − 1) · lrDecay)
///     s ← s + g · g                       (state_sum.addcmul_(g, g, value=1))
///     w ← w − (clr · g) / (√s + ε)        (param.addcdiv_(g, std, value=−clr))
struct Adagrad: LaneKernel {
    let w: UnsafeMutablePointer<Double>?, g: UnsafePointer<Double>?, s: UnsafeMutablePointer<Double>?
    let clr: Double, eps: Double

    @inline(__always)
    func run<L: Lanes>(_: L.Type, _ range: Range<Int>) -> SIMD4<UInt64> {
        guard let w, let g, let s, !range.isEmpty else { return .zero }
        let clr = L(broadcast: clr), eps = L(broadcast: eps)
        var checkW = FiniteCheck<L>(), checkS = FiniteCheck<L>()
        for e in stride(from: range.lowerBound, to: range.upperBound, by: L.width) {
            let ge = L(g, e)
            let se = L(s, e) + ge * ge
            let we = L(w, e) - (clr * ge) / (se.root() + eps)
            se.store(s, e)
            we.store(w, e)
            checkW.add(we)
            checkS.add(se)
        }
        return SIMD4(checkW.total, checkS.total, 0, 0)
    }
}

/// `torch.optim.RMSprop` (every buffer starts at 0):
///
///     v ← α · v + ((1 − α) · g) · g                    (square_avg.mul_(α).addcmul_(g, g, value=1−α))
///     centered:  ḡ ← lerp(ḡ, g, 1 − α),  r = √(v − ḡ · ḡ) + ε
///     otherwise:  r = √v + ε
///     μ > 0:  b ← μ · b + g / r,  w ← w − η · b
///     μ = 0:  w ← w − (η · g) / r
///
/// b and ḡ are nil when the algorithm keeps no such buffer.
struct RMSprop: LaneKernel {
    let w: UnsafeMutablePointer<Double>?, g: UnsafePointer<Double>?, v: UnsafeMutablePointer<Double>?
    let b: UnsafeMutablePointer<Double>?, ga: UnsafeMutablePointer<Double>?
    let lr: Double, alpha: Double, eps: Double, momentum: Double

    @inline(__always)
    func run<L: Lanes>(_: L.Type, _ range: Range<Int>) -> SIMD4<UInt64> {
        guard let w, let g, let v, !range.isEmpty else { return .zero }
        let lerp = Lerp(weight: 1 - alpha)
        let lr = L(broadcast: lr), a = L(broadcast: alpha), c = L(broadcast: 1 - alpha), eps = L(broadcast: eps)
        let mu = L(broadcast: momentum), k = L(broadcast: lerp.coefficient)
        var checkW = FiniteCheck<L>(), checkV = FiniteCheck<L>(), checkB = FiniteCheck<L>(), checkGA = FiniteCheck<L>()
        for e in stride(from: range.lowerBound, to: range.upperBound, by: L.width) {
            let ge = L(g, e)
            let ve = L(v, e) * a + (c * ge) * ge
            ve.store(v, e)
            checkV.add(ve)
            var r: L
            if let ga {
                let gae = lerp(L(ga, e), ge, k)
                gae.store(ga, e)
                checkGA.add(gae)
                r = (ve - gae * gae).root() + eps
            } else {
                r = ve.root() + eps
            }
            let we: L
            if let b {
                let be = L(b, e) * mu + ge / r
                be.store(b, e)
                checkB.add(be)
                we = L(w, e) - lr * be
            } else {
                we = L(w, e) - (lr * ge) / r
            }
            we.store(w, e)
            checkW.add(we)
        }
        // In `algorithm.buffers` order: squareAvg, momentumBuffer (if kept), gradAvg (if kept).
        var check = SIMD4<UInt64>(checkW.total, checkV.total, 0, 0)
        var next = 2
        if b != nil { check[next] = checkB.total; next += 1 }
        if ga != nil { check[next] = checkGA.total }
        return check
    }
}

/// `torch.optim.Adam` and `torch.optim.AdamW` (m and v start at 0):
///
///     w ← w · (1 − η·λ)                                 (AdamW only: param.mul_(1 − η·λ))
///     m ← lerp(m, g, 1 − β1)                            (exp_avg.lerp_(g, 1 − β1))
///     v ← β2 · v + ((1 − β2) · g) · g                   (exp_avg_sq.mul_(β2).addcmul_(g, g, value=1−β2))
///     w ← w − ((η / (1 − β1^t)) · m) / (√v / √(1 − β2^t) + ε)
///
/// The last line is PyTorch's `param.addcdiv_(m, √v / bias_correction2_sqrt + ε, value=−step_size)`,
/// the documentation's w − η · m̂ / (√v̂ + ε) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
struct Adam: LaneKernel {
    let w: UnsafeMutablePointer<Double>?, g: UnsafePointer<Double>?, m: UnsafeMutablePointer<Double>?, v: UnsafeMutablePointer<Double>?
    /// 1 − η·λ for AdamW, 1 for Adam (w · 1 = w exactly, so one loop serves both).
    let decay: Double
    let beta1: Double, beta2: Double, eps: Double
    /// η / (1 − β1^t).
    let stepSize: Double
    /// √(1 − β2^t).
    let biasCorrection2Root: Double

    @inline(__always)
    func run<L: Lanes>(_: L.Type, _ range: Range<Int>) -> SIMD4<UInt64> {
        guard let w, let g, let m, let v, !range.isEmpty else { return .zero }
        let lerp = Lerp(weight: 1 - beta1)
        let k = L(broadcast: lerp.coefficient), b2 = L(broadcast: beta2), c2 = L(broadcast: 1 - beta2)
        let decay = L(broadcast: decay), stepSize = L(broadcast: stepSize), root2 = L(broadcast: biasCorrection2Root), eps = L(broadcast: eps)
        var checkW = FiniteCheck<L>(), checkM = FiniteCheck<L>(), checkV = FiniteCheck<L>()
        for e in stride(from: range.lowerBound, to: range.upperBound, by: L.width) {
            let ge = L(g, e)
            let me = lerp(L(m, e), ge, k)
            let ve = L(v, e) * b2 + (c2 * ge) * ge
            let denominator = ve.root() / root2 + eps
            let we = L(w, e) * decay - (stepSize * me) / denominator
            me.store(m, e)
            ve.store(v, e)
            we.store(w, e)
            checkW.add(we)
            checkM.add(me)
            checkV.add(ve)
        }
        return SIMD4(checkW.total, checkM.total, checkV.total, 0)
    }
}
