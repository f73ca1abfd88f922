/// bpf-to-bpf calls and exits on one path: a static function runs in a frame of its own with
/// the caller's r1-r5; a global one was verified on its own and gives a number.
enum PathCalls {
    static let arguments = 1 ... 5

    /// Enters a static function; false past the kernel's call depth (the run-time check refuses).
    static func enter(_ state: inout PathState, returnTo: Int) -> Bool {
        guard state.stacks.count < VMLimits.maxCallFrames else { return false }
        state.returns.append(ReturnFrame(returnTo: returnTo, saved: Array(state.registers[6 ... 9])))
        state.stacks.append(Array(repeating: .invalid, count: PathState.slots))
        state.registers[0] = .notInit
        for r in 6 ... 9 { state.registers[r] = .notInit }
        state.registers[10] = .pointer(.stack(frame: state.frame))
        return true
    }

    static func callGlobal(_ state: inout PathState, returnsScalar: Bool) {
        PathHelpers.clobberStackArguments(&state)
        state.registers[0] = returnsScalar ? .scalar(.unknown) : .unknown
        for r in arguments { state.registers[r] = .notInit }
    }

    /// Leaves a function: the instruction to go on from in the caller, or nil at the program's
    /// end, where nothing may be held, as the kernel requires.
    static func exit(_ state: inout PathState, at index: Int) throws(VMError) -> Int? {
        guard let frame = state.returns.popLast() else {
            if state.lockHeld {
                throw VMError(instruction: index, "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
            }
            if let leaked = state.references.first {
                throw VMError(instruction: index, "Unreleased reference id=\(leaked + 1) alloc_insn=\(leaked)")
            }
            return nil
        }
        let leaving = state.frame
        state.stacks.removeLast()
        // Pointers into the frame that is gone point nowhere.
        state.updateAll { value in
            if case .stack(let f) = value.kind, f == leaving { value = .unknown }
        }
        for r in arguments { state.registers[r] = .notInit }
        for (r, saved) in zip(6 ... 9, frame.saved) { state.registers[r] = saved }
        state.registers[10] = .pointer(.stack(frame: state.frame))
        return frame.returnTo
    }
}
