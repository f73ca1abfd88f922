import BPFCore
import BPFVM
import Glibc
import Synchronization

/// Resilient spin locks (kernel/bpf/rqspinlock.c): the 4-byte lock word in a map value, taken
/// by compare-and-swap as `bpf_spin_lock`'s. Where the kernel gives up after 250 ms and answers
/// -ETIMEDOUT, this gives up after `MapIterationHelpers.lockAttempts` tries and answers the
/// same; the verifier refuses the one deadlock a single program can make (the same lock twice).
/// The `_irqsave` pair also fills and takes back the irq flag (0 here, as `bpf_local_irq_save`).
enum ResLockKfuncs {
    /// Linux's ETIMEDOUT.
    static let timedOut: Int64 = 110

    static func register(_ table: inout KfuncTable) {
        table.register(.resSpinLock) { call in lock(&call) }
        table.register(.resSpinUnlock) { call in unlock(&call) }
        table.register(.resSpinLockIrqsave) { call in
            let result = lock(&call)
            if result == 0, let flag = call.memory(at: call.r2, count: 8, write: true, "irq flag") {
                flag.storeBytes(of: 0, as: UInt64.self)
            }
            return result
        }
        table.register(.resSpinUnlockIrqrestore) { call in unlock(&call) }
    }

    static func lock(_ call: inout HelperCall) -> UInt64 {
        guard let word = MapIterationHelpers.lockWord(&call) else { return 0 }
        let cell = word.assumingMemoryBound(to: Atomic<UInt32>.self)
        for attempt in 0..<MapIterationHelpers.lockAttempts {
            if cell.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged { return 0 }
            if attempt & 1023 == 1023 { sched_yield() }
        }
        return UInt64(bitPattern: -timedOut)
    }

    static func unlock(_ call: inout HelperCall) -> UInt64 {
        guard let word = MapIterationHelpers.lockWord(&call) else { return 0 }
        word.assumingMemoryBound(to: Atomic<UInt32>.self).pointee.store(0, ordering: .releasing)
        return 0
    }
}
