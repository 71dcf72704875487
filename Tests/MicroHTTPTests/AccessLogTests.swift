// The batched access log: lines wait in memory, leave in order, and none is lost on stop.
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

    @Test func linesWaitUntilAFlushThenLeaveInOrder() {
        let out = Collected()
        let log = AccessLog(sink: out.add)
        log.append("GET /a 200 0.10ms 2B")
        log.append("GET /b 404 0.20ms 3B")
        #expect(out.batches.isEmpty, "nothing is written before a flush")
        log.flush()
        #expect(out.text == "GET /a 200 0.10ms 2B\nGET /b 404 0.20ms 3B\n")
        #expect(out.batches.count == 1, "one write for the batch")
    }

    @Test func aFullBufferIsWrittenAtOnce() {
        let out = Collected()
        let log = AccessLog(sink: out.add)
        let line = String(repeating: "x", count: 99)
        for _ in 0..<(AccessLog.flushBytes / 100 + 1) { log.append(line) }
        #expect(out.batches.count == 1)
        #expect(out.batches[0].count >= AccessLog.flushBytes)
    }

    @Test func theFlusherWritesWithinTheIntervalAndStopLosesNothing() {
        let out = Collected()
        let log = AccessLog(sink: out.add)
        log.start()
        log.append("first")
        usleep(AccessLog.flushIntervalMicroseconds * 3)
        #expect(out.text == "first\n", "written by the flusher thread without any flush call")
        log.append("last")
        log.stop()
        #expect(out.text == "first\nlast\n")
    }
}
