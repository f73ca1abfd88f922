import BPFCore

/// Resilient spin locks (`bpf_res_spin_lock`, Linux 6.15+) as Linux 6.18's verifier follows
/// them: the lock answers 0 with the lock held or a negative errno without it, so the call
/// forks the path (the failure way, r0 in [-4095, -1], waits); held locks nest, are released
/// newest first and forbid calls other than the lock kfuncs, as a `bpf_spin_lock` does; the
/// program may not end, throw or tail-call holding one. The `_irqsave` pair also saves and
/// restores an irq flag (SectionRules). Refusals in the kernel's words, EINVAL.
enum ResLockRules {
    static let lockHelpers: Set<Int32> = [KfuncTable.helperID(.resSpinLock), KfuncTable.helperID(.resSpinLockIrqsave)]
    private static let allowed: Set<Int32> = lockHelpers.union([
        KfuncTable.helperID(.resSpinUnlock), KfuncTable.helperID(.resSpinUnlockIrqrestore),
        KfuncTable.helperID(.iterNumNew), KfuncTable.helperID(.iterNumNext), KfuncTable.helperID(.iterNumDestroy),
    ])

    /// Calls the kernel allows while a lock is held (`kfunc_spin_allowed`, less the graph kfuncs
    /// the embedded backend does not have).
    static func allowedWhileLocked(_ id: Int32) -> Bool { allowed.contains(id) }

    /// The lock kfunc's checks and effect on the path; its r0 on the way that goes on.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) -> AbstractValue {
        let lock = state.registers[1]
        if lock.kind != .unknown, !isMapValue(lock) {
            throw VMError(instruction: index, "arg#0 doesn't point to map value or allocated object")
        }
        let owner = identity(lock)
        switch kfunc {
        case .resSpinLock, .resSpinLockIrqsave:
            if !owner.isEmpty, state.resLocks.contains(where: { $0.owner == owner }) {
                throw VMError(instruction: index, "Acquiring the same lock again, AA deadlock detected")
            }
            if kfunc == .resSpinLockIrqsave { try SectionRules.save(state.registers[2], at: index, &state) }
            state.resLocks.append(ResLock(owner: owner, taken: index))
            return .constant(0)
        default:
            let name = kfunc == .resSpinUnlock ? "bpf_res_spin_unlock" : "bpf_res_spin_unlock_irqrestore"
            guard let newest = state.resLocks.last else {
                throw VMError(instruction: index, "\(name) without taking a lock")
            }
            if !owner.isEmpty, !newest.owner.isEmpty, owner != newest.owner {
                let held = state.resLocks.contains { $0.owner == owner }
                throw VMError(instruction: index, held ? "\(name) cannot be out of order" : "\(name) of different lock")
            }
            state.resLocks.removeLast()
            if kfunc == .resSpinUnlockIrqrestore { try SectionRules.restore(state.registers[2], at: index, &state) }
            return .notInit
        }
    }

    /// After a lock call that passed: the way where it failed, without the lock (or its irq
    /// flag), r0 a negative errno.
    static func failedWay(_ op: Operation?, after state: PathState) -> PathState? {
        guard case .call(.helper(let id))? = op, lockHelpers.contains(id), !state.resLocks.isEmpty else { return nil }
        var failed = state
        failed.resLocks.removeLast()
        if id == KfuncTable.helperID(.resSpinLockIrqsave), !failed.irqFlags.isEmpty { failed.irqFlags.removeLast() }
        let maxErrno: Int64 = 4095
        failed.registers[0] = .scalar(ScalarRange(umin: UInt64(bitPattern: -maxErrno), umax: .max, smin: -maxErrno, smax: -1))
        return failed
    }

    private static func isMapValue(_ value: AbstractValue) -> Bool {
        if case .mapValue = value.kind { return true }
        return false
    }

    /// Which lock: the map value's id and the lock's offset in it (empty when not known).
    private static func identity(_ value: AbstractValue) -> [Int] {
        guard case .mapValue = value.kind, let variable = value.range.constant else { return [] }
        return [value.id, value.offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))]
    }
}

/// A resilient lock held: which one, and the call that took it.
struct ResLock: Hashable {
    var owner: [Int]
    var taken: Int
}
