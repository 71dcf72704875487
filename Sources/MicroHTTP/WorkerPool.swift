// The worker threads: a fixed number, started with the server and joined when it stops, that
// compute what the Scheduler hands them. This is what replaced a thread per heavy request: however
// many requests arrive, the threads are the polling threads, these, and the access log's.
import Glibc

final class WorkerPool: @unchecked Sendable {
    // @unchecked: `threads` is written by start() and read by join(), which HTTPServer calls in
    // that order from its lifecycle (start under its lock, join after claiming the daemon).
    private let scheduler: Scheduler
    private var threads: [pthread_t] = []

    init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    /// Starts `count` workers; fewer if the system refuses threads (at least one is needed:
    /// false if none started).
    func start(_ count: Int) -> Bool {
        for _ in 0..<count {
            var thread = pthread_t()
            let me = Unmanaged.passRetained(self).toOpaque()  // released by the thread when it ends
            if pthread_create(&thread, nil, workerMain, me) == 0 {
                threads.append(thread)
            } else {
                Unmanaged<WorkerPool>.fromOpaque(me).release()
            }
        }
        return !threads.isEmpty
    }

    /// Waits for every worker to leave (they do once the scheduler is closed and drained).
    func join() {
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }

    /// One worker: takes computations until the scheduler closes. A client that left before its
    /// turn costs no computation; one that leaves during it gets no answer.
    fileprivate func work() {
        while let job = scheduler.nextJob() {
            let connection = job.connection
            guard let computation = job.computation, !connection.isGone else {
                scheduler.finish(job, with: .clientGone)
                continue
            }
            let response = computation.run { connection.isGone }
            scheduler.finish(job, with: connection.isGone ? .clientGone : .respond(response))
        }
    }
}

/// A worker thread's entry point: recovers the pool and hands off to it.
private func workerMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
    pool.work()
    return nil
}
