// The clock a request is timed on: its duration for the metrics and the access log, and its
// upload's pace. CLOCK_MONOTONIC read directly, in nanoseconds, rather than ContinuousClock:
// ContinuousClock.now goes through the concurrency runtime and its Duration is 128-bit
// arithmetic (components, subtraction): for two readings and a subtraction a request, those
// functions took about 35 instruction-cache misses and 400 instructions in callgrind's profile
// (scripts/request-instructions.sh).
import Glibc

/// A reading of CLOCK_MONOTONIC: never goes back, and counts from an arbitrary origin.
struct MonotonicInstant: Sendable {
    /// Nanoseconds since the clock's origin: an Int64 lasts 292 years of uptime.
    let nanoseconds: Int64

    static var now: MonotonicInstant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec))
    }

    /// Nanoseconds from `earlier` to this reading.
    func nanoseconds(since earlier: MonotonicInstant) -> Int64 {
        nanoseconds - earlier.nanoseconds
    }
}
