import BPFCore
import BPFVM
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// bpf_spin_lock and bpf_spin_unlock: the 4-byte `struct bpf_spin_lock` in a map value is the
/// lock word itself, so programs on several threads exclude each other on the same value. The
/// kernel's verifier guarantees every lock is released before the program exits.
enum SpinLockHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(93, name: "spin_lock") { call in
            guard let word = lockWord(&call) else { return 0 }
            while word.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged == false {
                sched_yield()
            }
            return 0
        }
        table.register(94, name: "spin_unlock") { call in
            guard let word = lockWord(&call) else { return 0 }
            word.pointee.store(0, ordering: .releasing)
            return 0
        }
    }

    private static func lockWord(_ call: inout HelperCall) -> UnsafeMutablePointer<Atomic<UInt32>>? {
        guard call.r1 % 4 == 0 else {
            call.failure = "bpf_spin_lock at 0x\(String(call.r1, radix: 16)) is not 4-byte aligned"
            return nil
        }
        guard let memory = call.memory(at: call.r1, count: 4, write: true, "bpf_spin_lock"),
              let base = memory.baseAddress else { return nil }
        return base.assumingMemoryBound(to: Atomic<UInt32>.self)
    }
}
