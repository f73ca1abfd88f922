import BPFCore
import CBPFSys
import Dispatch
import Foundation
import Glibc
import TCX

/// One dedicated thread living in a world's network namespace, running jobs one at a time.
///
/// ifindex lookups in bpf(2) and rtnetlink sockets follow the calling *thread's* network
/// namespace, so every operation of a world runs here. `State` is created on the thread and
/// only ever touched by jobs running on it; that confinement is what makes the unchecked
/// Sendable conformance sound.
final class WorldThread<State>: @unchecked Sendable {
    private let condition = NSCondition()
    /// A job and who waits for it. The waiter is woken only after the job's closure is
    /// released: `run` lends a non-escaping closure, which must not outlive the call.
    private struct Job {
        let work: () -> Void
        let done: DispatchSemaphore
    }
    private var jobs: [Job] = []
    private var accepting = true
    private var state: State?
    private var thread: Thread?
    private var startup: Result<Void, TCXError>?
    /// Signalled once the thread is back in the namespace it came from, about to end.
    private let left = DispatchSemaphore(value: 0)

    /// Starts the thread, moves it into the scope's network namespace (a fresh one for a
    /// sandbox) and builds the state there.
    init(name: String, scope: KernelScope = .sandbox,
         makeState: @escaping @Sendable () throws(TCXError) -> State) throws(TCXError) {
        let thread = Thread { [self] in
            let hostNamespace = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            let outcome = Result { () throws(TCXError) -> State in
                guard hostNamespace >= 0 else {
                    throw TCXError(LinuxErrno(rawValue: errno), "open /proc/thread-self/ns/net failed")
                }
                try scope.enterNetworkNamespace()
                return try makeState()
            }
            condition.lock()
            switch outcome {
            case .success(let made):
                state = made
                startup = .success(())
            case .failure(let error):
                accepting = false
                startup = .failure(error)
            }
            condition.broadcast()
            condition.unlock()
            if case .success = outcome { serve() }
            // Back to the namespace the thread came from, so the world's namespace loses its
            // last task reference now rather than whenever the thread is reaped.
            if hostNamespace >= 0 {
                _ = cbpfsys_setns_net(hostNamespace)
                Glibc.close(hostNamespace)
            }
            left.signal()
        }
        thread.name = name
        self.thread = thread
        thread.start()
        condition.lock()
        while startup == nil { condition.wait() }
        let started = startup!
        condition.unlock()
        try started.get()
    }

    /// Runs `body` on the world's thread with its state and waits for the result.
    func run<T>(_ body: (State) throws(TCXError) -> T) throws(TCXError) -> T {
        if Thread.current === thread, let state { return try body(state) }
        let outcome: Result<T, TCXError> = withoutActuallyEscaping(body) { escapable in
            var result: Result<T, TCXError>?
            let done = DispatchSemaphore(value: 0)
            let enqueued = enqueue(Job(work: { [self] in
                result = Result { () throws(TCXError) -> T in try escapable(state!) }
            }, done: done))
            guard enqueued else {
                return .failure(TCXError(.EBADF, "the world was shut down"))
            }
            done.wait()
            return result!
        }
        return try outcome.get()
    }

    /// Runs `teardown` as the last job and returns once the thread has left the namespace, so
    /// a sandbox's namespace has no task in it any more. Later calls to `run` fail; a second
    /// stop does nothing.
    func stop(_ teardown: @escaping (State) -> Void) {
        let done = DispatchSemaphore(value: 0)
        let enqueued = enqueue(Job(work: { [self] in
            teardown(state!)
            state = nil
        }, done: done), closing: true)
        if enqueued {
            done.wait()
            left.wait()
        }
    }

    /// Queues a job; `closing` makes it the last one the thread will accept.
    private func enqueue(_ job: Job, closing: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard accepting else { return false }
        jobs.append(job)
        if closing { accepting = false }
        condition.signal()
        return true
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty && accepting { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            var job: Job? = jobs.removeFirst()
            condition.unlock()
            job?.work()
            let done = job?.done
            job = nil
            done?.signal()
        }
    }
}
