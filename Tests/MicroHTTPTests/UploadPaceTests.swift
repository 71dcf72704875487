// The pace an admitted upload must keep, without a clock: the grace period, the time each byte
// received earns, and no floor at all when the rate is 0.
@testable import MicroHTTP
import Testing

@Suite struct UploadPaceTests {
    let pace = UploadPace(graceSeconds: 30, minBytesPerSecond: 1000)

    func seconds(_ n: Int64) -> Int64 { n * 1_000_000_000 }
    func milliseconds(_ n: Int64) -> Int64 { n * 1_000_000 }

    @Test func anyUploadMayTakeTheGracePeriod() {
        #expect(pace.isBehind(received: 0, afterNanoseconds: seconds(30)) == false)
        #expect(pace.isBehind(received: 0, afterNanoseconds: milliseconds(30_001)) == true)
    }

    @Test func eachByteReceivedEarnsTime() {
        // 5000 bytes at 1000 per second earn 5 s on top of the 30.
        #expect(pace.isBehind(received: 5000, afterNanoseconds: seconds(35)) == false)
        #expect(pace.isBehind(received: 5000, afterNanoseconds: milliseconds(35_001)) == true)
        // A large body at a modest rate is never behind: 32 MiB in 60 s is 560 KB/s.
        #expect(pace.isBehind(received: 32 << 20, afterNanoseconds: seconds(60)) == false)
    }

    /// The client the floor is for: never idle, so the idle timeout never closes it.
    @Test func aTrickleOfAByteASecondFallsBehindJustAfterTheGrace() {
        #expect(pace.isBehind(received: 31, afterNanoseconds: seconds(31)) == true)
    }

    @Test func noFloorNeverFallsBehind() {
        let none = UploadPace(graceSeconds: 30, minBytesPerSecond: 0)
        #expect(none.isBehind(received: 0, afterNanoseconds: seconds(86_400)) == false)
    }
}
