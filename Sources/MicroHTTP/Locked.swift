// A value guarded by a pthread mutex, for the little shared mutable state the server has.
// Not Synchronization.Mutex: on Linux (Swift 6.3.1) its contended path waits in a raw futex
// that ThreadSanitizer cannot see, so TSan reports false races; pthread locks it understands.
import Glibc

final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched between pthread_mutex_lock and unlock below.
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)  // a pthread mutex must not move, so not a stored struct
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
