// The notation of api-contract.md and its three renderings: Unicode for `symbol`/`expression`,
// LaTeX, and plain text for a terminal. Layers and units print 1-based (`w^{(1)}_{11}`), as in
// the textbook, while the core counts from 0. Nothing here computes: it only writes.

import Backprop

/// The three ways a formula is written.
public enum Notation: Sendable {
    /// `δ^{(2)}_{1} w^{(2)}_{11}`, `∂E/∂z^{(1)}_{1}`: the contract's notation, Unicode operators.
    case unicode
    /// `\delta^{(2)}_{1} w^{(2)}_{11}`, `\frac{\partial E}{\partial z^{(1)}_{1}}`.
    case latex
    /// `δ^(2)_1·w^(2)_11`, `∂E/∂z^(1)_1`: lighter, for a terminal.
    case plain

    var minus: String { self == .latex ? " - " : " − " }
    /// Between factors of the chain, and between numbers.
    var times: String { self == .latex ? " \\cdot " : " · " }
    var ellipsis: String { self == .latex ? "\\dots" : "…" }
}

extension Subscript {
    /// 1-based, or the letter k.
    var printed: String {
        switch self {
        case .index(let i): "\(i + 1)"
        case .k: "k"
        }
    }
}

extension Quantity {
    /// `w^{(1)}_{11}`, `b^{(2)}_{1}`, `y_{1}`, `δ^{(1)}_{2}`…
    public func written(_ n: Notation) -> String {
        switch self {
        case .weight(let l, let j, let i):
            // Two subscripts run together (`11`) only while both are single digits.
            let (sj, si) = ("\(j + 1)", "\(i + 1)")
            let sub = sj.count == 1 && si.count == 1 ? sj + si : sj + "," + si
            return Self.indexed("w", layer: l, sub, n)
        case .bias(let l, let j): return Self.indexed("b", layer: l, "\(j + 1)", n)
        case .weightedSum(let l, let j): return Self.indexed("a", layer: l, j.printed, n)
        case .output(let l, let j): return Self.indexed("z", layer: l, j.printed, n)
        case .networkOutput(let j): return Self.indexed("y", layer: nil, j.printed, n)
        case .target(let j): return Self.indexed("t", layer: nil, "\(j + 1)", n)
        case .input(let i): return Self.indexed("x", layer: nil, "\(i + 1)", n)
        case .delta(let l, let j): return Self.indexed(n == .latex ? "\\delta" : "δ", layer: l, "\(j + 1)", n)
        }
    }

    /// letter^{(layer + 1)}_{sub}, or letter^(layer + 1)_sub in plain text.
    private static func indexed(_ letter: String, layer: Int?, _ sub: String, _ n: Notation) -> String {
        let sup = layer.map { n == .plain ? "^(\($0 + 1))" : "^{(\($0 + 1))}" } ?? ""
        return letter + sup + (n == .plain ? "_" + sub : "_{" + sub + "}")
    }
}

extension FactorName {
    /// `∂E/∂z^{(1)}_{1}`, `\frac{\partial E}{\partial z^{(1)}_{1}}`, or the quantity δ stands for.
    public func written(_ n: Notation) -> String {
        switch self {
        case .partial(let top, let bottom):
            let t = top?.written(n) ?? "E"
            let b = bottom.written(n)
            return n == .latex ? "\\frac{\\partial \(t)}{\\partial \(b)}" : "∂\(t)/∂\(b)"
        case .quantity(let q):
            return q.written(n)
        }
    }
}

/// A float64 in its shortest round-trip form (`description`). In LaTeX an exponent becomes
/// `\times 10^{…}`; a negative number is bracketed where it stands after an operator.
public func formatNumber(_ v: Double, _ n: Notation, bracketNegative: Bool = false) -> String {
    var s = v.description
    if n == .latex, let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        let mantissa = String(s[..<e])
        let exponent = Int(s[s.index(after: e)...]) ?? 0
        s = (mantissa == "1" ? "" : mantissa + " \\times ") + "10^{\(exponent)}"
    }
    return bracketNegative && v.sign == .minus ? "(" + s + ")" : s
}
