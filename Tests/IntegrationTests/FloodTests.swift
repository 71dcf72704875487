// The issue-13 flood against the real server: 64 concurrent POST /gradients of ≈28 MiB each
// against --max-memory 536870912. Every answer is a 200 or a 503 with Retry-After and
// problem+json, some are 200s, resident memory stays within the budget plus the README's margin,
// the threads stay few, /healthz and /metrics answer within a second throughout, and normal
// requests succeed afterwards. Each client has an address of its own (127.0.0.2 on, loopback), so
// that the budget and the queue govern them, not one client's share of the budget (from one
// address, all but one at a time get 503 client_share: ClientShareServerTests).
// (scripts/hardening/flood.py is the same flood with figures, against
// a release build; without the budget the same flood peaked at 3.9 GB and 50 threads.)
// Under a sanitizer (BACKPROP_TEST_SANITIZER set, as scripts/hardening.sh does) the flood is
// smaller and only the answers are checked: the sanitizers' own memory and time are not the server's.

import APITestCases
import Foundation
import Testing

@Suite("Flood", .serialized, .timeLimit(.minutes(3)))
struct FloodTests {
    static let underSanitizer = ProcessInfo.processInfo.environment["BACKPROP_TEST_SANITIZER"] != nil
    static let clients = underSanitizer ? 16 : 64
    /// Units of the hidden layer: 1750 as in the issue (≈28 MiB), 175 under a sanitizer (≈2.8 MiB).
    static let hidden = underSanitizer ? 175 : 1750
    static let budget = underSanitizer ? 64 << 20 : 536_870_912
    /// The README's margin over the budget for the whole process (Reliability).
    static let marginBytes = 96 << 20

    /// A 784-`hidden`-10 sigmoid network and one sample, as /gradients JSON, every weight a
    /// different 17-digit number (so the body is as large as real weights make it).
    static func body() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hidden * 784 * 21 + 1 << 16)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func number() {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out += Array("0.0".utf8)
            var digits = state >> 11
            for _ in 0..<16 {
                out.append(UInt8(ascii: "0") + UInt8(digits % 10))
                digits /= 10
            }
        }
        func vector(_ count: Int) {
            out.append(UInt8(ascii: "["))
            for index in 0..<count {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                number()
            }
            out.append(UInt8(ascii: "]"))
        }
        func matrix(_ rows: Int, _ columns: Int) {
            out.append(UInt8(ascii: "["))
            for row in 0..<rows {
                if row > 0 { out.append(UInt8(ascii: ",")) }
                vector(columns)
            }
            out.append(UInt8(ascii: "]"))
        }
        out += Array(#"{"network":{"layers":[{"weights":"#.utf8)
        matrix(hidden, 784)
        out += Array(#"},{"weights":"#.utf8)
        matrix(10, hidden)
        out += Array(#"}]},"input":"#.utf8)
        vector(784)
        out += Array(#","target":[1,0,0,0,0,0,0,0,0,0]}"#.utf8)
        return out
    }

    @Test func aFloodOfLargeRequestsIsServedOrRefusedWithinTheBudget() throws {
        // The defaults but the budget, and two workers whatever the machine (the debug build
        // serves the 34 admitted ones in about 20 s).
        let server = try ServerProcess(["--max-memory", "\(Self.budget)", "--workers", "2"])
        defer { server.stop() }
        let body = Self.body()
        let watch = Watch(pid: server.process.processIdentifier, port: server.port)
        watch.start()

        let answers = Answers()
        let finished = DispatchGroup()
        for client in 0..<Self.clients {
            finished.enter()
            Thread {
                defer { finished.leave() }
                answers.add(Self.post(body, port: server.port, from: "127.0.0.\(2 + client)"))
            }.start()
        }
        #expect(finished.wait(timeout: .now() + 150) == .success, "clients still waiting after 150 s")
        watch.stop()

        let all = answers.all
        let wrong = all.filter { !$0.isAllowed }
        #expect(all.count == Self.clients)
        #expect(wrong.isEmpty, "\(wrong.count) answers outside the contract, e.g. \(wrong.prefix(3).map(\.summary))")
        #expect(all.contains { $0.status == 200 }, "no request was served")
        #expect((1...16).contains(watch.maxThreads), "\(watch.maxThreads) threads")
        if !Self.underSanitizer {
            #expect(watch.probeFailures.isEmpty, "probes: \(watch.probeFailures.prefix(3))")
            let peak = watch.peakResidentBytes()
            #expect(peak > 0 && peak <= Self.budget + Self.marginBytes, "peak RSS \(peak >> 20) MiB, budget \(Self.budget >> 20) MiB")
        }
        let after = try RawHTTP.exchange(port: server.port, "POST", "/step", body: ServerBehaviourTests.stepBody)
        #expect(ServerBehaviourTests.isTextbookStep(after))
        #expect(server.stop() == 0)
    }

    /// One client: the head, then the body (an early answer ends the upload: the server closes,
    /// and the send fails), then the answer.
    static func post(_ body: [UInt8], port: Int, from source: String) -> Answer {
        do {
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 120, source: source)
            defer { connection.close() }
            try connection.send(RawHTTP.head("POST", "/gradients", headers: [("Content-Length", "\(body.count)")]))
            do { try connection.send(body) } catch RawHTTPError.send {}  // refused early: read why
            return Answer(response: try connection.readResponse())
        } catch {
            return Answer(error: "\(error)")
        }
    }
}

/// What one client got.
struct Answer: Sendable {
    var status = 0
    var retryAfter: String?
    var contentType: String?
    var problemStatus: Int?
    var error: String?

    init(response: RawResponse) {
        status = response.status
        retryAfter = response.header("retry-after")
        contentType = response.header("content-type")
        problemStatus = response.status == 503 ? response.object["status"] as? Int : nil
    }

    init(error: String) {
        self.error = error
    }

    /// A 200, or a 503 with a Retry-After in seconds and a problem+json body.
    var isAllowed: Bool {
        status == 200 || (status == 503 && Int(retryAfter ?? "").map { $0 >= 1 } == true
            && contentType == "application/problem+json" && problemStatus == 503)
    }

    var summary: String { error ?? "\(status) retry-after \(retryAfter ?? "-") \(contentType ?? "-")" }
}

final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [Answer] = []  // guarded by `lock`
    func add(_ answer: Answer) { lock.lock(); answers.append(answer); lock.unlock() }
    var all: [Answer] { lock.lock(); defer { lock.unlock() }; return answers }
}

/// Samples the server's threads from /proc every 20 ms, and asks /healthz and /metrics every
/// 250 ms, noting any answer that is not a 200 within a second.
final class Watch: @unchecked Sendable {
    private let pid: Int32
    private let port: Int
    private let lock = NSLock()
    private var running = true          // guarded by `lock`
    private var failures: [String] = []  // guarded by `lock`
    private var threads = 0              // guarded by `lock`
    private let done = DispatchSemaphore(value: 0)

    init(pid: Int32, port: Int) {
        self.pid = pid
        self.port = port
    }

    func start() {
        Thread { [self] in
            var nextProbe = Date()
            while lock.withLock({ running }) {
                let count = Int(status("Threads") ?? 0)
                lock.withLock { threads = max(threads, count) }
                if Date() >= nextProbe {
                    nextProbe = Date().addingTimeInterval(0.25)
                    for path in ["/healthz", "/metrics"] {
                        let started = Date()
                        let status = (try? RawHTTP.exchange(port: port, "GET", path).status) ?? -1
                        let seconds = Date().timeIntervalSince(started)
                        if status != 200 || seconds > 1 {
                            lock.withLock { failures.append("\(path): \(status) after \(String(format: "%.2f", seconds)) s") }
                        }
                    }
                }
                usleep(20_000)
            }
            done.signal()
        }.start()
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }

    var probeFailures: [String] { lock.withLock { failures } }
    var maxThreads: Int { lock.withLock { threads } }

    /// VmHWM: the most resident memory the process ever had, in bytes.
    func peakResidentBytes() -> Int { Int(status("VmHWM") ?? 0) * 1024 }

    /// The number after `field:` in /proc/PID/status (kB for sizes).
    private func status(_ field: String) -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int64(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
