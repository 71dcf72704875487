// A Formula written in one notation, with symbols or with its numbers substituted: the one
// recursive writer behind every expression, LaTeX string and plain-text line of /explain.

import Backprop

extension Formula {
    /// The formula in notation n; with `numbers`, every quantity is replaced by its value.
    public func written(_ n: Notation, numbers: Bool) -> String {
        switch self {
        case .quantity(let q, let v):
            return numbers ? formatNumber(v, n, bracketNegative: true) : q.written(n)
        case .integer(let i):
            return "\(i)"
        case .constant(let c):
            return c.description
        case .sum(let terms):
            return terms.map { $0.operand(n, numbers) }.joined(separator: " + ")
        case .ellipsis:
            return n.ellipsis
        case .difference(let a, let b):
            return a.written(n, numbers: numbers) + n.minus + b.operand(n, numbers)
        case .product(let a, let b):
            let sep = numbers ? n.times : (n == .plain ? "·" : " ")
            return a.operand(n, numbers) + sep + b.operand(n, numbers)
        case .juxtaposed(let a, let b):
            let right = b.operand(n, numbers)
            let bracketed = right.hasPrefix("(") || right.hasPrefix("[")
            let sep = bracketed ? "" : (numbers ? n.times : (n == .plain ? "·" : " "))
            return a.operand(n, numbers) + sep + right
        case .square(let a):
            let base = a.written(n, numbers: numbers)
            // Symbols carry their own super- and subscripts, so they are bracketed before squaring
            // (`z^{(1)}_{1}^{2}` is not valid LaTeX).
            // A negative number arrives bracketed already; one in LaTeX's `10^{…}` form needs brackets.
            let wrapped = numbers && !a.isCompound && !base.contains("^") ? base : "(" + base + ")"
            return wrapped + (n == .latex ? "^{2}" : "²")
        case .quotient(let a, let b):
            if n == .latex { return "\\frac{" + a.written(n, numbers: numbers) + "}{" + b.written(n, numbers: numbers) + "}" }
            return a.operand(n, numbers) + "/" + b.operand(n, numbers)
        case .positive(let a):
            return "[" + a.written(n, numbers: numbers) + " > 0]"
        case .nonPositive(let a):
            return "[" + a.written(n, numbers: numbers) + (n == .latex ? " \\le 0]" : " ≤ 0]")
        case .softmaxDelta(let output, let value):
            return numbers ? formatNumber(value, n, bracketNegative: true) : writtenSoftmaxDelta(output, n)
        }
    }

    /// Written as an operand of a product: bracketed when compound.
    func operand(_ n: Notation, _ numbers: Bool) -> String {
        let s = written(n, numbers: numbers)
        return isCompound ? "(" + s + ")" : s
    }
}

/// δ_j = z_j (∂E/∂z_j − Σ_k ∂E/∂z_k z_k), for the output z_j (a hidden z or the network's y).
private func writtenSoftmaxDelta(_ zj: Quantity, _ n: Notation) -> String {
    let zk: Quantity = switch zj {
    case .output(let l, _): .output(layer: l, unit: .k)
    default: .networkOutput(unit: .k)
    }
    let (j, k) = (zj.written(n), zk.written(n))
    let (gj, gk) = (FactorName.partial(of: nil, by: zj).written(n), FactorName.partial(of: nil, by: zk).written(n))
    switch n {
    case .unicode: return "\(j)(\(gj) − Σ_k \(gk) \(k))"
    case .latex: return "\(j)\\left(\(gj) - \\sum_{k} \(gk) \(k)\\right)"
    case .plain: return "\(j)(\(gj) − Σ_k \(gk)·\(k))"
    }
}
