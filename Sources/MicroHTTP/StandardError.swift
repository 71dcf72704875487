// Lines to stderr: libmicrohttpd's own messages and the access log's batches. One write(2) per
// line or batch, so lines from concurrent MHD threads never interleave mid-line. Not a logging framework.
import Glibc

enum StandardError {
    /// Writes `line` plus a newline (unless it already ends with one) in a single write(2).
    static func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        write(bytes)
    }

    /// Writes `bytes` in as few write(2) calls as the kernel allows.
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            // A short write on a pipe is possible; finish the line rather than drop its tail.
            while offset < raw.count {
                let written = Glibc.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
