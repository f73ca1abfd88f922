import BPFCore
import BPFMaps
import BPFVM
import Glibc

/// Runs due BPF timer callbacks, as the kernel runs them in softirq after the program that
/// started them returned: on one process-wide thread, started when a timer is armed and ended
/// when none is. Callbacks run one at a time, concurrently with program runs on other threads
/// (as on another CPU); a world that is never entered again still sees its timers fire.
final class TimerWheel: @unchecked Sendable {
    static let shared = TimerWheel()

    private let lock = TimerLock()
    /// Armed timers (weak: a freed map's timers simply vanish). Guarded by `lock`.
    private var armed: [ObjectIdentifier: WeakTimer] = [:]
    /// Every initialised timer by the address of its `struct bpf_timer`. Guarded by `lock`.
    private var byField: [UInt: BPFTimer] = [:]
    private var threadRunning = false
    /// Counts `arm` calls, so the thread never sleeps past an arm it has not looked at.
    private var armings: UInt64 = 0
    /// The timer thread, to tell a callback's own helper calls from other threads'.
    private var thread: pthread_t?

    private struct WeakTimer { weak var timer: BPFTimer? }

    /// Runs `body` under the lock every timer field is guarded by.
    func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Whether the calling thread is the timer thread (callers hold the lock).
    var onTimerThread: Bool {
        guard let thread else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// Arms `timer` for `deadline` (CLOCK_MONOTONIC), replacing an earlier deadline. Callers
    /// hold the lock.
    func arm(_ timer: BPFTimer, at deadline: UInt64) {
        timer.deadline = deadline
        armed[ObjectIdentifier(timer)] = WeakTimer(timer: timer)
        // The thread may sleep until a later deadline: it looks again.
        armings &+= 1
        lock.signal()
        guard !threadRunning else { return }
        threadRunning = true
        var id = pthread_t()
        guard pthread_create(&id, nil, { _ in TimerWheel.shared.serve(); return nil }, nil) == 0 else {
            threadRunning = false
            return
        }
        thread = id
        pthread_detach(id)
    }

    /// Disarms `timer`; whether it was armed. Callers hold the lock.
    func disarm(_ timer: BPFTimer) -> Bool {
        let wasArmed = timer.deadline != nil
        timer.deadline = nil
        armed[ObjectIdentifier(timer)] = nil
        return wasArmed
    }

    /// A new timer (bpf_timer_init). Callers hold the lock.
    func add(_ timer: BPFTimer) {
        byField[timer.field] = timer
    }

    /// The live timer whose `struct bpf_timer` is at `field`. Callers hold the lock.
    func timer(at field: UInt) -> BPFTimer? {
        byField[field]
    }

    /// Cancels `timer` for good and lets go of its program. Callers hold the lock.
    func free(_ timer: BPFTimer) {
        _ = disarm(timer)
        forget(timer)
        timer.program = nil
        timer.services = nil
        timer.programMaps = nil
    }

    /// Makes `timer` unreachable without touching the armed set (its map is being freed,
    /// maybe while that set is walked). Callers hold the lock.
    func forget(_ timer: BPFTimer) {
        timer.freed = true
        timer.deadline = nil
        if byField[timer.field] === timer { byField[timer.field] = nil }
    }

    /// What fires next: the due timer's callback, or the deadline (CLOCK_MONOTONIC) to sleep
    /// until; nil when nothing is armed.
    private enum Next {
        case fire(BPFTimer, BPFMap, VMProgram, UInt64, SharedServices, ProgramMaps)
        case sleep(UInt64, armings: UInt64)
    }

    private func next() -> Next? {
        locked { () -> Next? in
            var earliest: BPFTimer?
            for (id, entry) in armed {
                guard let timer = entry.timer, !timer.freed, let deadline = timer.deadline else {
                    armed[id] = nil
                    continue
                }
                if let best = earliest, let bestDeadline = best.deadline, bestDeadline <= deadline { continue }
                earliest = timer
            }
            guard let timer = earliest, let deadline = timer.deadline else {
                threadRunning = false
                thread = nil
                return nil
            }
            let now = TCServices.clock(CLOCK_MONOTONIC)
            if deadline > now { return .sleep(deadline, armings: armings) }
            _ = disarm(timer)
            guard let map = timer.map, let program = timer.program, let services = timer.services,
                  let programMaps = timer.programMaps else {
                return .sleep(0, armings: armings)
            }
            timer.running = true
            return .fire(timer, map, program, timer.callback, services, programMaps)
        }
    }

    private func serve() {
        while let next = next() {
            switch next {
            case let .sleep(deadline, seen):
                // Until the deadline or until a timer is armed, whichever comes first.
                locked {
                    if armings == seen { lock.wait(untilMonotonic: deadline) }
                }
            case let .fire(timer, map, program, callback, services, programMaps):
                TimerCallbackRun.run(timer: timer, map: map, program: program, callback: callback, services: services,
                                     programMaps: programMaps)
                locked { timer.running = false }
            }
        }
    }

    /// Waits while `timer`'s callback runs on the timer thread (bpf_timer_cancel waits for it).
    /// Callers do not hold the lock.
    func waitWhileRunning(_ timer: BPFTimer) {
        for attempt in 0..<10_000_000 {
            if !locked({ timer.running }) { return }
            if attempt & 63 == 63 { sched_yield() }
        }
    }
}

/// A plain mutex and a condition on CLOCK_MONOTONIC: the timer state it guards lives in
/// several objects, not in one value, and the timer thread sleeps on it.
private final class TimerLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        // Recursive: a map freed while the lock is held frees its timers under it too.
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        condition = .allocate(capacity: 1)
        var conditionAttributes = pthread_condattr_t()
        pthread_condattr_init(&conditionAttributes)
        pthread_condattr_setclock(&conditionAttributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &conditionAttributes)
        pthread_condattr_destroy(&conditionAttributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits (holding the lock once) until `deadline` on CLOCK_MONOTONIC or a `signal`.
    func wait(untilMonotonic deadline: UInt64) {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_cond_timedwait(condition, mutex, &time)
    }

    func signal() { pthread_cond_signal(condition) }
}
