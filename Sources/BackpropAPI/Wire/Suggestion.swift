// "Did you mean …?": the known name closest to a misspelled one, or none when nothing is close.
// Used for unknown fields, unknown names (activation, loss, …) and missing required fields.

/// The name among `candidates` that `name` most likely misspells, or nil.
///
/// Close means, once case, `_` and `-` are ignored (`learning_rate`, `LearningRate` →
/// `learningRate`): the same; or sharing a beginning of at least 4 characters that is most of the
/// shorter name (`bias` → `biases`, `loss_function` → `loss`, `reduce` → `reduction`); or within
/// an edit distance (insertions, deletions, substitutions and swaps of neighbours) of 1 when the
/// shorter name has up to 4 characters, 2 otherwise (`activaton` → `activation`, `sigmod` →
/// `sigmoid`, but not `median` → `mean`).
func closestName(to name: String, among candidates: [String]) -> String? {
    let wanted = normalized(name)
    if let same = candidates.first(where: { normalized($0) == wanted }) { return same }
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let c = normalized(candidate)
        let shorter = min(wanted.count, c.count)
        let shared = zip(wanted, c).prefix { $0 == $1 }.count
        let d = editDistance(wanted, c)
        let close = d <= (shorter <= 4 ? 1 : 2) || (shared >= 4 && shared * 5 >= shorter * 4)
        // The nearest of the close ones: `targt` is `target`, not `targets`.
        if close, d < best?.distance ?? Int.max { best = (candidate, d) }
    }
    return best?.name
}

/// Lowercased, without `_`, `-` and spaces.
private func normalized(_ s: String) -> [Character] {
    s.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " }.map { $0 }
}

/// The optimal-string-alignment distance: the fewest insertions, deletions, substitutions and
/// swaps of two neighbouring characters that turn a into b.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // d[i][j]: distance between the first i characters of a and the first j of b.
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let substitution = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
