// The Content-Length field's value, read from its bytes: 1*DIGIT (RFC 9110 §8.6), with the
// optional whitespace around a field value allowed. Bytes, not String: trimming a String walks
// Characters (grapheme breaking), which cost ~1.5k instructions per request for three digits.

enum ContentLength {
    /// The decimal number in `bytes` between optional leading and trailing spaces and tabs;
    /// nil when there is no digit, anything else is in the way, or the number exceeds UInt64.
    static func parse(_ bytes: some Collection<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        var trailingSpace = false  // a space or tab after the digits: only more of it may follow
        for byte in bytes {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                trailingSpace = digits > 0
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, !trailingSpace else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(UInt64(digit))
            if overflow || carry { return nil }
            value = sum
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}
