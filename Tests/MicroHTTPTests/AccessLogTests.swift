// The access log: the line format, and the batching: lines wait in memory, leave in order, and
// none is lost on stop.
@testable import MicroHTTP
import Glibc
import Testing

@Suite struct AccessLogTests {
    final class Collected: @unchecked Sendable {
        private let lock = Locked<[[UInt8]]>([])
        func add(_ batch: [UInt8]) { lock.withLock { $0.append(batch) } }
        var batches: [[UInt8]] { lock.withLock { $0 } }
        var text: String { String(decoding: batches.joined(), as: UTF8.self) }
    }

    func line(_ method: String, _ path: String, _ status: Int, _ duration: Duration, _ bytesOut: Int) -> AccessLogLine {
        let (seconds, attoseconds) = duration.components
        return AccessLogLine(method: method, path: path, status: status,
                             nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000, bytesOut: bytesOut)
    }

    @Test func lineFormat() {
        func text(_ line: AccessLogLine) -> String {
            var buffer: [UInt8] = []
            line.write(to: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }
        #expect(text(line("POST", "/step", 200, .microseconds(420), 1234)) == "POST /step 200 0.42ms 1234B")
        #expect(text(line("GET", "/", 404, .microseconds(12_345_678), 0)) == "GET / 404 12345.68ms 0B")
        #expect(text(line("GET", "/", 200, .microseconds(7), 0)) == "GET / 200 0.01ms 0B")
        #expect(text(line("GET", "/", 200, .microseconds(4), 10)) == "GET / 200 0.00ms 10B")
        #expect(text(line("GET", "/", 200, .microseconds(995), 100)) == "GET / 200 1.00ms 100B", "rounds up")
        #expect(text(line("GET", "/", 200, .seconds(3), 1_000_000)) == "GET / 200 3000.00ms 1000000B")
        #expect(text(line("GET", "/café", 599, .microseconds(100_090), 9)) == "GET /café 599 100.09ms 9B")
    }

    @Test func linesWaitUntilAFlushThenLeaveInOrder() {
        let out = Collected()
        let log = AccessLog(sink: out.add)
        log.append(line("GET", "/a", 200, .microseconds(100), 2))
        log.append(line("GET", "/b", 404, .microseconds(200), 3))
        #expect(out.batches.isEmpty, "nothing is written before a flush")
        log.flush()
        #expect(out.text == "GET /a 200 0.10ms 2B\nGET /b 404 0.20ms 3B\n")
        #expect(out.batches.count == 1, "one write for the batch")
    }

    @Test func aFullBufferIsWrittenAtOnce() {
        let out = Collected()
        let log = AccessLog(sink: out.add)
        let long = line("GET", "/" + String(repeating: "x", count: 80), 200, .zero, 0)  // 99 bytes
        for _ in 0..<(AccessLog.flushBytes / 100 + 1) { log.append(long) }
        #expect(out.batches.count == 1)
        #expect(out.batches[0].count >= AccessLog.flushBytes)
    }

    @Test func theFlusherWritesWithinTheIntervalAndStopLosesNothing() {
        let out = Collected()
        let log = AccessLog(sink: out.add)
        log.start()
        log.append(line("GET", "/first", 200, .zero, 0))
        usleep(AccessLog.flushIntervalMicroseconds * 3)
        #expect(out.text == "GET /first 200 0.00ms 0B\n", "written by the flusher thread without any flush call")
        log.append(line("GET", "/last", 200, .zero, 0))
        log.stop()
        #expect(out.text == "GET /first 200 0.00ms 0B\nGET /last 200 0.00ms 0B\n")
    }
}
