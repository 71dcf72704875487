// An Explanation from the core, written out for people: each factor's symbol and expression, the
// whole derivation as one LaTeX display equation and as plain text for a terminal, and the notes
// in words. The learning rate only enters through the update line it writes at the end.

import Backprop

/// One chain-rule factor as /explain shows it.
public struct WrittenFactor: Sendable, Equatable {
    /// `∂E/∂z^{(1)}_{1}`, or `δ^{(2)}_{1}` when it stands for two factors.
    public var symbol: String
    /// The factor written out: `δ^{(2)}_{1} w^{(2)}_{11} + δ^{(2)}_{2} w^{(2)}_{21}`.
    public var expression: String
    /// `symbol = expression` in LaTeX.
    public var latex: String
    public var value: Double
}

/// An explanation written out, with the one-step update `value − η·gradient`.
public struct WrittenExplanation: Sendable, Equatable {
    /// `w^{(1)}_{11}` or `b^{(1)}_{1}`.
    public var symbol: String
    public var factors: [WrittenFactor]
    /// `δ^{(1)}_{1}`.
    public var deltaSymbol: String
    /// `value − learningRate · gradient`: the parameter after one gradient-descent step.
    public var updated: Double
    /// λ2·w + λ1·sign(w), the regularization's part of `gradient`; nil without regularization.
    public var penaltyGradient: Double?
    /// One display equation: ∂E/∂θ = factor names = formulas = numbers = values = result.
    public var latex: String
    /// The same in plain text, one step per line, then the update (and the note, if any).
    public var text: String
    /// The notes in words, joined by "; "; nil when there are none.
    public var note: String?

    public init(_ e: Explanation, learningRate: Double) {
        symbol = e.quantity.written(.unicode)
        factors = e.factors.map { f in
            WrittenFactor(symbol: f.name.written(.unicode), expression: f.formula.written(.unicode, numbers: false),
                          latex: f.name.written(.latex) + " = " + f.formula.written(.latex, numbers: false), value: f.value)
        }
        deltaSymbol = e.deltaQuantity.written(.unicode)
        updated = e.value - learningRate * e.gradient
        penaltyGradient = e.regularization.map { $0.adding(to: 0, weight: e.value) }
        note = e.notes.isEmpty ? nil : e.notes.map(\.sentence).joined(separator: "; ")
        (latex, text) = writeDerivation(e, learningRate: learningRate, updated: updated, note: note)
    }
}

extension ExplanationNote {
    /// The note as a sentence for the reader.
    var sentence: String {
        switch self {
        case .fusedCrossEntropy(let f):
            return "with cross-entropy after \(f.rawValue) the first two factors, ∂E/∂y and ∂y/∂a, collapse to one: δ = y − t"
        case .softmaxCoupling(let l, let isOutput):
            let what = isOutput ? "every output" : "every unit of layer \(l)"
            let z = isOutput ? "y" : "z"
            return "softmax couples \(what), so ∂E/∂\(z) and ∂\(z)/∂a do not separate: they are computed as one factor, "
                + "δ = Jᵀ ∂E/∂\(z) with J = diag(\(z)) − \(z)\(z)ᵀ"
        case .batch(let samples, let reduction):
            let how = switch reduction {
            case .mean: "mean"
            case .sum: "sum"
            }
            return "batch of \(samples): factors are shown for sample 0; the gradient is the \(how) over all samples of the same product"
        }
    }
}

/// The reduction over a batch, as it is written before a bracketed per-sample product.
private func batchWrapped(_ body: String, samples: Int, reduction: Reduction, _ n: Notation) -> String {
    switch (n, reduction) {
    case (.latex, .mean): "\\frac{1}{\(samples)} \\sum_{n} \\left[" + body + "\\right]_{n}"
    case (.latex, .sum): "\\sum_{n} \\left[" + body + "\\right]_{n}"
    case (.unicode, .mean), (.plain, .mean): "(1/\(samples)) Σ_n [" + body + "]_n"
    case (.unicode, .sum), (.plain, .sum): "Σ_n [" + body + "]_n"
    }
}

/// The derivation as one LaTeX display equation and as plain text.
///
/// One sample:
///
///     ∂E/∂θ = names of the factors = their formulas = formulas with numbers = factor values = ∂E/∂θ
///
/// A batch (N > 1): the reduction of the per-sample product, written with names and formulas, equals
/// the gradient; then sample 0's product with numbers, which is one term of that reduction.
/// Consecutive steps that would read the same are written once.
private func writeDerivation(_ e: Explanation, learningRate: Double, updated: Double, note: String?) -> (latex: String, text: String) {
    let batch = e.samples > 1
    func chain(_ n: Notation, _ piece: (DerivedFactor) -> String) -> String {
        e.factors.map(piece).joined(separator: n.times)
    }
    func steps(_ n: Notation) -> (symbolic: [String], sample: [String]) {
        let penalty = e.regularization.map { PenaltyWriting($0, weight: e.quantity, value: e.value, n) }
        let names = chain(n) { $0.name.written(n) }
        let formulas = chain(n) { $0.formula.operand(n, false) }
        let numbers = chain(n) { $0.formula.operand(n, true) }
        let values = chain(n) { formatNumber($0.value, n, bracketNegative: true) }
        var product = 1.0
        for f in e.factors { product *= f.value }
        // With regularization each step of the chain is followed by the penalty's term in the same form.
        func plus(_ chain: String, _ term: KeyPath<PenaltyWriting, String>) -> String {
            penalty.map { chain + " + " + $0[keyPath: term] } ?? chain
        }
        if batch {
            return ([plus(batchWrapped(names, samples: e.samples, reduction: e.reduction, n), \.symbols),
                     plus(batchWrapped(formulas, samples: e.samples, reduction: e.reduction, n), \.symbols), formatNumber(e.gradient, n)],
                    [numbers, values, formatNumber(product, n)])
        }
        return ([plus(names, \.symbols), plus(formulas, \.symbols), plus(numbers, \.numbers), plus(values, \.values),
                 formatNumber(e.gradient, n)], [])
    }
    func deduplicated(_ s: [String]) -> [String] {
        var out: [String] = []
        for x in s where x != out.last { out.append(x) }
        return out
    }

    let lhs = FactorName.partial(of: nil, by: e.quantity)
    let latexSteps = steps(.latex)
    var latex = lhs.written(.latex) + " = " + deduplicated(latexSteps.symbolic).joined(separator: " = ")
    if !latexSteps.sample.isEmpty {
        latex += " \\qquad \\text{sample 0: } " + deduplicated(latexSteps.sample).joined(separator: " = ")
    }

    let first = lhs.written(.plain) + " = "
    let indent = String(repeating: " ", count: first.count - 2) + "= "
    let plainSteps = steps(.plain)
    var lines = deduplicated(plainSteps.symbolic).enumerated().map { ($0.offset == 0 ? first : indent) + $0.element }
    if !plainSteps.sample.isEmpty {
        lines.append("sample 0: " + deduplicated(plainSteps.sample).joined(separator: " = "))
    }
    let w = e.quantity.written(.plain)
    lines.append("updated: \(w) − η·∂E/∂\(w) = \(formatNumber(e.value, .plain)) − \(formatNumber(learningRate, .plain))·"
                 + "\(formatNumber(e.gradient, .plain, bracketNegative: true)) = \(formatNumber(updated, .plain))")
    if let note { lines.append("note: " + note) }
    return (latex, lines.joined(separator: "\n"))
}

/// A weight's regularization term, λ2·w + λ1·sign(w), written as symbols, with numbers, and as
/// the values of its terms (a term whose λ is 0 is left out, as the gradient leaves it out).
private struct PenaltyWriting {
    var symbols: String
    var numbers: String
    var values: String

    init(_ r: Regularization, weight: Quantity, value w: Double, _ n: Notation) {
        let symbol = weight.written(n)
        let (l2, l1) = n == .latex ? ("\\lambda_{2}", "\\lambda_{1}") : n == .plain ? ("λ2", "λ1") : ("λ₂", "λ₁")
        let sign = n == .latex ? "\\operatorname{sign}" : "sign"
        let times = n == .latex ? " " : "·"
        var s: [String] = [], m: [String] = [], v: [String] = []
        if r.l2 != 0 {
            s.append(l2 + times + symbol)
            m.append(formatNumber(r.l2, n) + n.times + formatNumber(w, n, bracketNegative: true))
            v.append(formatNumber(r.l2 * w, n, bracketNegative: true))
        }
        if r.l1 != 0 {
            s.append(l1 + times + sign + "(" + symbol + ")")
            m.append(formatNumber(r.l1, n) + n.times + sign + "(" + formatNumber(w, n) + ")")
            v.append(formatNumber(r.l1Term(weight: w), n, bracketNegative: true))
        }
        symbols = s.joined(separator: " + ")
        numbers = m.joined(separator: " + ")
        values = v.joined(separator: " + ")
    }
}
