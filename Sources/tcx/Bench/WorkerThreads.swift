import Atomics

#if canImport(Glibc)
import Glibc
#endif

/// Plain threads for benchmark workers: each calls `body` until `stop()`, counting calls.
final class WorkerThreads: @unchecked Sendable {
    private let running = ManagedAtomic(true)
    private let calls = ManagedAtomic<Int>(0)
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
                var local = 0
                while start.owner.running.load(ordering: .relaxed) {
                    start.body()
                    local += 1
                }
                start.owner.calls.wrappingIncrement(by: local, ordering: .relaxed)
                return nil
            }, start)
            precondition(created == 0, "pthread_create failed")
            threads.append(thread)
        }
    }

    /// Stops and joins every worker; returns how many calls they made in all.
    func stop() -> Int {
        running.store(false, ordering: .relaxed)
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
        return calls.load(ordering: .relaxed)
    }
}
