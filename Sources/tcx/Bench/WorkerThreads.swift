import Atomics

#if canImport(Glibc)
import Glibc
#endif

/// Plain threads for benchmark workers: each calls `body` until `stop()`, counting calls.
final class WorkerThreads: @unchecked Sendable {
    private let running = ManagedAtomic(true)
    private let calls = ManagedAtomic<Int>(0)
    private let cpu = ManagedAtomic<Int>(0)
    /// CPU time all workers spent, in ns, once `stop()` returned: what a frame costs on a
    /// machine shared with other work, where wall time also counts the time others ran.
    var cpuNanoseconds: Int { cpu.load(ordering: .relaxed) }
    private var threads: [pthread_t] = []

    private final class Start: @unchecked Sendable {
        let body: @Sendable () -> Void
        let owner: WorkerThreads
        init(body: @escaping @Sendable () -> Void, owner: WorkerThreads) {
            self.body = body
            self.owner = owner
        }
    }

    init(count: Int, body: @escaping @Sendable () -> Void) {
        for _ in 0..<count {
            let start = Unmanaged.passRetained(Start(body: body, owner: self)).toOpaque()
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
                // Read once: the closure loaded from the object per call was a retain and a
                // release of its context per frame, counted as the datapath's cost.
                let (body, owner) = (start.body, start.owner)
                var local = 0
                let began = WorkerThreads.threadCPUTime()
                while owner.running.load(ordering: .relaxed) {
                    body()
                    local += 1
                }
                owner.cpu.wrappingIncrement(by: WorkerThreads.threadCPUTime() - began, ordering: .relaxed)
                owner.calls.wrappingIncrement(by: local, ordering: .relaxed)
                return nil
            }, start)
            precondition(created == 0, "pthread_create failed")
            threads.append(thread)
        }
    }

    static func threadCPUTime() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return now.tv_sec * 1_000_000_000 + now.tv_nsec
    }

    /// Stops and joins every worker; returns how many calls they made in all.
    func stop() -> Int {
        running.store(false, ordering: .relaxed)
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
        return calls.load(ordering: .relaxed)
    }
}
