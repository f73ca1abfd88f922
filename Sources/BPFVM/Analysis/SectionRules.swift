import BPFCore

/// The sections that keep preemption or interrupts off, as Linux 6.18's verifier checks them:
/// `bpf_preempt_disable`/`bpf_preempt_enable` nest and must match, `bpf_local_irq_save` fills
/// an 8-byte flag on the stack that `bpf_local_irq_restore` takes back, newest first. The
/// program's exit and `bpf_throw` may not leave one open (EINVAL, `check_resource_leak`).
/// Tc programs call no sleepable helper, so nothing else inside a section is refused here.
enum SectionRules {
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) {
        switch kfunc {
        case .preemptDisable:
            state.preemptDisabled += 1
        case .preemptEnable:
            guard state.preemptDisabled > 0 else {
                throw VMError(instruction: index, "unmatched attempt to enable preemption (kernel function bpf_preempt_enable)")
            }
            state.preemptDisabled -= 1
        case .localIrqSave:
            try save(state.registers[1], at: index, &state)
        case .localIrqRestore:
            try restore(state.registers[1], at: index, &state)
        default:
            break
        }
    }

    /// What the program's last exit, a throw and a tail call must not leave open, in the
    /// kernel's order: a resilient lock, (references are checked before), irq flags, the RCU
    /// region, preemption (`prefix` names the exit).
    static func checkOpen(_ state: PathState, at index: Int, prefix: String) throws(VMError) {
        if !state.resLocks.isEmpty {
            throw VMError(instruction: index, "\(prefix) cannot be used inside bpf_spin_lock-ed region")
        }
        if !state.irqFlags.isEmpty {
            throw VMError(instruction: index, "\(prefix) cannot be used inside bpf_local_irq_save-ed region")
        }
        if state.rcuLocked {
            throw VMError(instruction: index, "\(prefix) cannot be used inside bpf_rcu_read_lock-ed region")
        }
        if state.preemptDisabled > 0 {
            throw VMError(instruction: index, "\(prefix) cannot be used inside bpf_preempt_disable-ed region")
        }
    }

    static func checkExit(at index: Int, _ state: PathState) throws(VMError) {
        try checkOpen(state, at: index, prefix: "BPF_EXIT instruction in main prog")
    }

    static func save(_ pointer: AbstractValue, at index: Int, _ state: inout PathState) throws(VMError) {
        if pointer.kind == .unknown { return }
        guard let place = IteratorSlots.place(pointer, state) else {
            throw VMError(instruction: index, "arg#0 doesn't point to an irq flag on stack")
        }
        if live(place, state) != nil {
            throw VMError(instruction: index, "expected uninitialized irq flag as arg#0")
        }
        state.irqFlags.append(IrqFlag(place: place, saved: index))
    }

    static func restore(_ pointer: AbstractValue, at index: Int, _ state: inout PathState) throws(VMError) {
        if pointer.kind == .unknown { return }
        guard let place = IteratorSlots.place(pointer, state) else {
            throw VMError(instruction: index, "arg#0 doesn't point to an irq flag on stack")
        }
        guard let flag = live(place, state), let newest = state.irqFlags.last else {
            throw VMError(instruction: index, "expected an initialized irq flag as arg#0")
        }
        guard flag == newest else {
            throw VMError(instruction: index, "cannot restore irq state out of order, expected id=\(newest.saved + 1) acquired at insn_idx=\(newest.saved)",
                          errno: .EACCES)
        }
        state.irqFlags.removeLast()
    }

    /// The flag saved at `place`, unless a store touched its slot since.
    private static func live(_ place: StackPlace, _ state: PathState) -> IrqFlag? {
        guard state.stacks[place.frame][place.slot] == .unknown else { return nil }
        return state.irqFlags.last { $0.place == place }
    }
}

/// An irq flag `bpf_local_irq_save` filled: where, and by which call.
struct IrqFlag: Hashable {
    var place: StackPlace
    var saved: Int
}
