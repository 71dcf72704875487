// The access log: one line per request, gathered in memory and written to stderr in batches.
// One write(2) per line cost about a third of the throughput of tiny requests (measured with wrk
// on the bench's 2-2-2 /step: 12.7k req/s logging line by line, 20.5k without a log). Lines
// reach stderr within 100 ms, at once when 32 KiB are waiting, and on stop. Not a logging
// framework: no levels, no formats, no files.
import Glibc

final class AccessLog: @unchecked Sendable {
    // @unchecked: `flusher` is set in start() and read in stop(), which HTTPServer calls only
    // under its lifecycle lock (start) or after claiming the daemon under it (stop), so never at
    // once; `pending` and `running` are guarded by their own locks.
    private let pending = Locked<[UInt8]>([])
    /// Whether the flusher should go on; stop() wakes it so that it ends at once, not within 100 ms.
    private let running = Monitor<Bool>(false)
    private var flusher: pthread_t?
    /// Where batches go: stderr, or a test's collector.
    private let sink: @Sendable ([UInt8]) -> Void

    init(sink: @escaping @Sendable ([UInt8]) -> Void = StandardError.write) {
        self.sink = sink
    }

    static let flushBytes = 32 << 10
    static let flushIntervalMicroseconds: UInt32 = 100_000

    /// Adds one line; writes the batch now when it has grown past `flushBytes`.
    func append(_ line: AccessLogLine) {
        let full: [UInt8]? = pending.withLock { buffer in
            line.write(to: &buffer)
            buffer.append(UInt8(ascii: "\n"))
            guard buffer.count >= Self.flushBytes else { return nil }
            defer { buffer = [] }
            return buffer
        }
        if let full { sink(full) }
    }

    /// Writes whatever is waiting.
    func flush() {
        let batch = pending.withLock { buffer -> [UInt8] in
            defer { buffer = [] }
            return buffer
        }
        if !batch.isEmpty { sink(batch) }
    }

    /// Starts the thread that flushes every 100 ms.
    func start() {
        running.withLock { $0 = true }
        var thread = pthread_t()
        let me = Unmanaged.passRetained(self).toOpaque()  // released by the thread when it ends
        if pthread_create(&thread, nil, accessLogFlusherMain, me) == 0 {
            flusher = thread
        } else {
            Unmanaged<AccessLog>.fromOpaque(me).release()
            running.withLock { $0 = false }
        }
    }

    /// Stops the flusher thread and writes the last lines.
    func stop() {
        running.withLock { $0 = false }
        running.broadcast()
        if let flusher { pthread_join(flusher, nil) }
        flusher = nil
        flush()
    }

    fileprivate func flushUntilStopped() {
        while true {
            // Sleeps the interval, or less when stop() says so.
            let stopped = running.wait(
                until: { !$0 }, deadline: .now + .microseconds(Int64(Self.flushIntervalMicroseconds))
            ) { _ in true } ?? false
            flush()
            if stopped { return }
        }
    }
}

/// The flusher thread's entry point: recovers the log and hands off to it.
private func accessLogFlusherMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let log = Unmanaged<AccessLog>.fromOpaque(context!).takeRetainedValue()
    log.flushUntilStopped()
    return nil
}
