// The server's allocator settings. mimalloc (Package.swift) is the process's malloc except in
// sanitizer builds, which bring their own (BACKPROP_SYSTEM_MALLOC=1 drops the module, and this
// file then does nothing).

#if canImport(CMimalloc)
import CMimalloc
import Glibc

enum Allocator {
    /// mimalloc gives freed pages back to the kernel 25 ms after a page empties, by default. A large
    /// `/step` (3 MB body, 5 MB answer) frees its buffers and the next request, about 30 ms later,
    /// faults the same amount back in: 200–630 page faults a request on this project's machine
    /// (`/proc/PID/stat`, wrk at two connections), each a zeroed 4 KiB page, about 4 % of the
    /// server's CPU in `perf`. At 250 ms they stay for the next request (3–12 faults a request).
    /// Either way mimalloc returns pages only when it next allocates or frees (an idle server
    /// keeps the 13 MB one large `/step` leaves, with 25 ms as with 250), and the flood's peak
    /// stays where it was (206 MB against 242–259 before; README, Reliability).
    /// MIMALLOC_DECOMMIT_DELAY (or its older name MIMALLOC_RESET_DELAY) in the environment still
    /// decides.
    static func configure() {
        if getenv("MIMALLOC_DECOMMIT_DELAY") == nil && getenv("MIMALLOC_RESET_DELAY") == nil {
            mi_option_set(mi_option_decommit_delay, 250)
        }
    }
}
#else
enum Allocator {
    static func configure() {}
}
#endif
