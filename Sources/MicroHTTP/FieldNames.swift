// HTTP field names compare case-insensitively in ASCII (RFC 9110 §5.1): they are tokens, so
// lowercasing them needs none of String.lowercased()'s Unicode tables, which cost more than the
// rest of reading a request's head. Not a general string utility.

extension UInt8 {
    /// This byte of a field name with A–Z mapped to a–z; any other byte is kept as it is.
    var fieldNameLowercased: UInt8 {
        self &- UInt8(ascii: "A") < 26 ? self | 0x20 : self
    }
}

extension String {
    /// Whether this is the field name `lowercased` (given in lowercase), ignoring ASCII case,
    /// without building a lowercased copy.
    func isFieldName(_ lowercased: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount)
        return utf8.count == wanted.count && zip(utf8, wanted).allSatisfy { $0.fieldNameLowercased == $1 }
    }
}
