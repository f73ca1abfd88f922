#if canImport(Glibc)
import Glibc
#endif

/// Real threads for tests that need readers running whatever the task pool is doing (Dispatch
/// may hold new workers back while the test's own thread keeps a CPU busy).
final class TestThreads: @unchecked Sendable {
    private var threads: [pthread_t] = []

    private final class Body: @unchecked Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    init(count: Int, _ body: @escaping @Sendable () -> Void) {
        for _ in 0..<count {
            let box = Unmanaged.passRetained(Body(body)).toOpaque()
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, box)
            precondition(created == 0, "pthread_create failed")
            threads.append(thread)
        }
    }

    /// Waits until every thread has returned.
    func join() {
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
    }
}
