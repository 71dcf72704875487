// The server's allocator settings. mimalloc (Package.swift) is the process's malloc except in
// sanitizer builds, which bring their own (BACKPROP_SYSTEM_MALLOC=1 drops the module, and this
// file then does nothing).

#if canImport(CMimalloc)
import CMimalloc

enum Allocator {
    /// mimalloc gives an emptied page back to the kernel 25 ms after it empties, by default. A large
    /// `/step` (3 MB body, 5 MB answer) frees its buffers, and the next request on the connection,
    /// about 30 ms later, faulted the same pages back in: 266–505 minor faults a request, 3.3 % of
    /// the server's CPU in `perf`. At 250 ms: 4–6 faults, 0.08 % (README, "Performance"). mimalloc
    /// returns pages only when it next allocates or frees, so an idle server keeps what the last
    /// request freed with either delay. A default, not a setting: MIMALLOC_DECOMMIT_DELAY (or its
    /// older name MIMALLOC_RESET_DELAY) in the environment still wins.
    static func configure() {
        mi_option_set_default(mi_option_decommit_delay, 250)
    }
}
#else
enum Allocator {
    static func configure() {}
}
#endif
