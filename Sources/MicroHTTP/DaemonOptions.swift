// How a ServerConfiguration becomes MHD's flags and option values, and which values are
// refused before MHD sees them. The options themselves are passed in shim.h's start wrapper.
internal import CMicroHTTPD

extension ServerConfiguration {
    /// Rejects values MHD would misread once narrowed to C's unsigned int or uint16_t.
    func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw HTTPServerError.invalidConfiguration(what) }
        }
        let cUInt = Int(UInt32.max)
        try check((0...65535).contains(port), "port \(port) is outside 0...65535")
        try check((1...1024).contains(threads), "threads \(threads) is outside 1...1024")
        try check((1...1024).contains(workers), "workers \(workers) is outside 1...1024")
        try check(inlineWork >= 0, "inlineWork \(inlineWork) is negative")
        try check(maxMemoryBytes > 0, "maxMemoryBytes \(maxMemoryBytes) is not positive")
        try check(maxMemoryPerClientBytes.map { $0 > 0 } ?? true,
                  "maxMemoryPerClientBytes \(maxMemoryPerClientBytes ?? 0) is not positive")
        try check(maxQueue >= 0, "maxQueue \(maxQueue) is negative")
        // MHD needs room for a request head and its read buffer; below 4 KiB it fails requests.
        try check((4096...(16 << 20)).contains(connectionMemoryBytes),
                  "connectionMemoryBytes \(connectionMemoryBytes) is outside 4096...\(16 << 20)")
        try check(uploadMinBytesPerSecond >= 0, "uploadMinBytesPerSecond \(uploadMinBytesPerSecond) is negative")
        try check(maxBodyBytes >= 0, "maxBodyBytes \(maxBodyBytes) is negative")
        try check((0...cUInt).contains(connectionTimeoutSeconds),
                  "connectionTimeoutSeconds \(connectionTimeoutSeconds) is out of range")
        try check((1...cUInt).contains(connectionLimit), "connectionLimit \(connectionLimit) is out of range")
        try check((1...cUInt).contains(perIPConnectionLimit),
                  "perIPConnectionLimit \(perIPConnectionLimit) is out of range")
    }

    /// MHD_OPTION_THREAD_POOL_SIZE, or 0 for none: one polling thread needs no pool.
    var threadPoolSize: UInt32 {
        threads > 1 ? UInt32(threads) : 0
    }

    /// MHD_FLAG bits for this configuration.
    func daemonFlags(ipv6: Bool) -> UInt32 {
        // ITC is what makes MHD_quiesce_daemon possible with internal threads, and what wakes a
        // polling thread when a worker resumes one of its connections.
        // poll, not epoll: libmicrohttpd 0.9.75's edge-triggered epoll misses an end of stream that
        // arrives with the last bytes of a partial upload, so a client leaving mid-body sat in
        // CLOSE_WAIT, counted in flight and against the per-IP limit, until the idle timeout
        // (AbandonedUploadTests). poll costs nothing at 16 connections, ~1/3 of the rate at 64
        // busy ones (scripts/hardening.sh figures). Tried 2026-12-05: a one-byte MSG_PEEK after
        // each partial body chunk finds that end of stream (AbandonedUploadTests then pass with
        // epoll), but a client leaving mid-head would still wait for the idle timeout, and epoll
        // measured no faster on the small /step (the same CPU time per request at one thread,
        // rates within the noise at four), so poll stays.
        // Suspend/resume: a request waiting for memory or computed by a worker is suspended
        // (Scheduler.swift). libmicrohttpd does not allow it with a thread per connection, which
        // is one reason there is no such mode any more; the other is that it is a thread per client.
        var flags = MHD_USE_ERROR_LOG.rawValue | MHD_USE_INTERNAL_POLLING_THREAD.rawValue
            | MHD_USE_ITC.rawValue | MHD_USE_POLL.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if ipv6 { flags |= MHD_USE_IPv6.rawValue }  // IPv6 only: "::" does not also take IPv4
        return flags
    }
}
