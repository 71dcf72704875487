// The pace an upload must keep once its body is admitted: it may take the grace period
// (`connectionTimeoutSeconds`) plus one second per `uploadMinBytesPerSecond` bytes received so
// far, as Apache's mod_reqtimeout (`body=20,MinRate=500`) allows. A body holds its reservation of
// the budget while it arrives; a stalled one is closed by the idle timeout, but one trickling a
// byte a second is never idle and would hold it for ever (scripts/hardening.sh, part D).
// libmicrohttpd 0.9.75 has no per-request deadline, so RequestFlow asks this whenever bytes arrive
// and closes the connection once the upload is behind (MHD can answer only before or after the
// body, so no 408 is sent). A client that sends nothing more is left to the idle timeout.
// Pure arithmetic on an elapsed time, tested without a clock (UploadPaceTests).

/// The slowest an admitted upload may go.
struct UploadPace: Sendable {
    /// Seconds an upload may take before the rate counts (and whatever it has sent earns more).
    let graceSeconds: Int
    /// Bytes per second an upload must average past the grace; 0 for no floor.
    let minBytesPerSecond: Int

    /// Whether an upload that has received `received` body bytes in `elapsed` nanoseconds is behind.
    func isBehind(received: Int, afterNanoseconds elapsed: Int64) -> Bool {
        guard minBytesPerSecond > 0 else { return false }
        let allowed = Double(graceSeconds) + Double(received) / Double(minBytesPerSecond)
        return Double(elapsed) / 1e9 > allowed  // a quotient, not a product with 1e-9: 30 s is 30, not 30.000000000000004
    }
}
