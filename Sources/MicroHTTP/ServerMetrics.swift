// What the server counts as it runs, for GET /metrics: request durations by route, method and
// status; requests in flight, queued and refused; memory reserved and resident. Rendering the
// Prometheus text is PrometheusText.swift's job. Label values are few by construction: routes
// come from the handler's `routeLabel`, methods outside the registered ones share one value,
// statuses are 200–599.
import Synchronization

/// The server's live counters. One per HTTPServer; handlers reach it as `HTTPRequest.metrics`.
public final class ServerMetrics: Sendable {
    /// Upper bounds of the duration histogram's buckets, in seconds: from a tiny request
    /// (≈ 0.1 ms) to the longest computation the limits allow (seconds).
    public static let durationBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// The memory budget, in bytes (ServerConfiguration.maxMemoryBytes).
    public let memoryBudgetBytes: Int
    /// Worker threads.
    public let workers: Int

    /// Requests between their request line and their answer (uploads and waits included).
    let inFlight = Atomic<Int>(0)
    /// Requests waiting for memory or for a worker.
    let queued = Atomic<Int>(0)
    /// Bytes reserved against the budget.
    let reservedBytes = Atomic<Int>(0)
    /// Workers computing.
    let busyWorkers = Atomic<Int>(0)
    /// Requests whose client left while they waited or ran.
    let abandoned = Atomic<Int>(0)
    /// 503s by reason, 413s (as "body_too_large"), and uploads closed for their pace
    /// ("upload_too_slow").
    private let rejections = Locked<[String: Int]>([:])
    private let durations = Locked<[SeriesKey: Histogram]>([:])

    init(memoryBudgetBytes: Int, workers: Int) {
        self.memoryBudgetBytes = memoryBudgetBytes
        self.workers = workers
    }

    /// Requests not yet answered, this one included when asked from a handler.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }
    /// Requests waiting for memory or for a worker.
    public var requestsQueued: Int { queued.load(ordering: .relaxed) }

    // MARK: Recording

    /// One answered request, which took `seconds` from its request line to its answer.
    func record(route: String, method: String, status: Int, seconds: Double) {
        let key = SeriesKey(route: route, method: Self.methodLabel(method), status: status)
        durations.withLock { series in
            series[key, default: Histogram()].observe(seconds)
        }
    }

    /// One request refused: 503 for `reason`, 413 (`bodyTooLarge`), or closed (`uploadTooSlow`).
    func recordRejection(_ reason: String) {
        rejections.withLock { $0[reason, default: 0] += 1 }
    }

    /// The method as a label: the methods of RFC 9110 and PATCH as they are, anything else
    /// `_OTHER` (OpenTelemetry's convention), so that made-up methods cannot grow the metrics.
    static func methodLabel(_ method: String) -> String {
        switch method {
        // POST first: a literal that is not the method costs a call into the standard library's
        // slow comparison, and POST is what the computing routes take.
        case "POST", "GET", "HEAD", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH": method
        default: "_OTHER"
        }
    }

    // MARK: Reading (PrometheusText)

    /// Every duration series, sorted by route, method and status for a stable output.
    func durationSeries() -> [(key: SeriesKey, histogram: Histogram)] {
        durations.withLock { $0.map { ($0.key, $0.value) } }.sorted { $0.key < $1.key }
    }

    /// Refusals by reason; every reason is present, at 0 when it never happened.
    func rejectionCounts() -> [(reason: String, count: Int)] {
        let counts = rejections.withLock { $0 }
        let reasons = OverloadReason.allCases.map(\.rawValue) + [Self.bodyTooLarge, Self.uploadTooSlow]
        return reasons.sorted().map { ($0, counts[$0] ?? 0) }
    }

    /// The `reason` label of a 413.
    static let bodyTooLarge = "body_too_large"
    /// The `reason` label of an upload closed for falling behind its pace (UploadPace): no answer.
    static let uploadTooSlow = "upload_too_slow"
}

/// The labels of one duration series.
struct SeriesKey: Hashable, Comparable {
    let route: String
    let method: String
    let status: Int

    static func < (a: SeriesKey, b: SeriesKey) -> Bool {
        (a.route, a.method, a.status) < (b.route, b.method, b.status)
    }

    /// The status and the labels' lengths, not their bytes: every answered request looks its
    /// series up, and hashing two strings cost about 300 instructions of a small /step's 108k.
    /// The series are few (routes × methods × statuses seen), and equal hashes are told apart
    /// by `==`, which compares the strings.
    func hash(into hasher: inout Hasher) {
        hasher.combine(status &<< 16 | route.utf8.count &<< 8 | method.utf8.count)
    }
}

/// Cumulative-on-render bucket counts, their sum and count.
struct Histogram {
    /// Observations per bucket (not cumulative), the last one above every bound.
    private(set) var counts = [Int](repeating: 0, count: ServerMetrics.durationBuckets.count + 1)
    private(set) var sum = 0.0
    private(set) var count = 0

    mutating func observe(_ value: Double) {
        var index = 0
        let bounds = ServerMetrics.durationBuckets
        while index < bounds.count && value > bounds[index] { index += 1 }
        counts[index] += 1
        sum += value
        count += 1
    }
}
