// Byte sizes on the command line: plain bytes, or with a suffix as Kubernetes writes them, so
// that a pod's `memory: 512Mi` can be copied into --max-memory as it is.

import ArgumentParser

enum ByteCount {
    /// `text` as bytes: digits, then optionally K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti
    /// (powers of 1024); nil for nil. Throws on anything else, naming the option.
    static func parse(option: String, _ text: String?) throws -> Int? {
        guard let text else { return nil }
        let trimmed = text.trimmed
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let multipliers: [String: Int] = [
            "": 1, "K": 1_000, "k": 1_000, "M": 1_000_000, "G": 1_000_000_000, "T": 1_000_000_000_000,
            "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40,
        ]
        guard let value = Int(digits), let multiplier = multipliers[String(trimmed.dropFirst(digits.count))] else {
            throw ValidationError("--\(option) must be a number of bytes, optionally with K, M, G, Ki, Mi or Gi, found \"\(text)\"")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw ValidationError("--\(option) is too large: \"\(text)\"") }
        return bytes
    }
}
