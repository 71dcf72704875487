// A value guarded by a pthread mutex, with a condition variable to wait for it to change: for
// the threads that must sleep until something happens (workers waiting for a job, shutdown
// waiting for the last request) instead of polling with usleep. `Locked` names the same for
// state nobody waits on.
// Not Synchronization.Mutex: on Linux (Swift 6.3.1) its contended path waits in a raw futex
// that ThreadSanitizer cannot see, so TSan reports false races; pthread locks it understands.
import Glibc

/// A value behind a lock that nobody waits on (an unused condition variable costs nothing).
typealias Locked<Value: Sendable> = Monitor<Value>

final class Monitor<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched between pthread_mutex_lock and unlock below.
    // In memory of its own, not a stored `var`: the mutex already makes every access exclusive,
    // and a class's stored `var` would add the runtime's exclusivity check (swift_beginAccess and
    // swift_endAccess, about 120 instructions) to every withLock, four times a small request.
    private let value: UnsafeMutablePointer<Value>
    // pthread objects must not move, so they live in memory of their own, not in stored structs.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init(_ value: Value) {
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        // Timed waits measure the monotonic clock, so a clock step cannot stretch a deadline.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }

    /// Waits, without holding the lock, until `ready` holds (checked under the lock), then runs
    /// `body` under the same lock. Returns nil when `deadline` passed first.
    func wait<Result>(
        until ready: (Value) -> Bool, deadline: ContinuousClock.Instant? = nil,
        then body: (inout Value) throws -> Result
    ) rethrows -> Result? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(value.pointee) {
            guard let deadline else {
                pthread_cond_wait(condition, mutex)
                continue
            }
            let left = deadline - .now
            if left <= .zero { return nil }
            var until = timespec()
            clock_gettime(CLOCK_MONOTONIC, &until)
            let (seconds, attoseconds) = left.components
            let nanoseconds = Int(until.tv_nsec) + Int(attoseconds / 1_000_000_000)
            until.tv_sec += Int(seconds) + nanoseconds / 1_000_000_000
            until.tv_nsec = nanoseconds % 1_000_000_000
            pthread_cond_timedwait(condition, mutex, &until)
        }
        return try body(&value.pointee)
    }

    /// Wakes every waiter, which then re-checks its condition. Call it after changing the value
    /// under the lock in a way a waiter may be waiting for; not after other changes, since every
    /// waiter woken for nothing costs two context switches (on two cores, often the waker's slice).
    /// Takes the lock to do so: a waiter is then either asleep or has yet to check, and
    /// ThreadSanitizer sees every access to the monitor under its mutex.
    func broadcast() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
