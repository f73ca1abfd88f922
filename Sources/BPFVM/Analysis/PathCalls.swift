import BPFCore

/// bpf-to-bpf calls and exits on one path: a static function runs in a frame of its own with
/// the caller's r1-r5; a global one was verified on its own and gives a number.
enum PathCalls {
    static let arguments = 1 ... 5

    /// Enters a static function; false past the kernel's call depth (the run-time check refuses).
    static func enter(_ state: inout PathState, returnTo: Int) -> Bool {
        guard state.stacks.count < VMLimits.maxCallFrames else { return false }
        state.returns.append(ReturnFrame(returnTo: returnTo, saved: Array(state.registers[6 ... 9])))
        state.stacks.append(Array(repeating: .invalid, count: PathState.slots))
        state.callbackDepths.append(0)
        state.registers[0] = .notInit
        for r in 6 ... 9 { state.registers[r] = .notInit }
        state.registers[10] = .pointer(.stack(frame: state.frame))
        return true
    }

    /// Enters the callback a helper call at `callsite` runs, with the caller's frames below it
    /// (the kernel's push_callback_call): its exit goes back to the call, which runs again.
    /// False past the kernel's call depth.
    static func enterCallback(_ state: inout PathState, at callsite: Int, _ use: PathCallbacks.Use) -> Bool {
        guard state.stacks.count < VMLimits.maxCallFrames else { return false }
        let back = CallbackReturn(arguments: Array(state.registers[0 ... 5]), returns: use.returns, references: state.references)
        state.returns.append(ReturnFrame(returnTo: callsite, saved: Array(state.registers[6 ... 9]), callback: back))
        state.callbackDepths[state.frame] += 1
        state.stacks.append(Array(repeating: .invalid, count: PathState.slots))
        state.callbackDepths.append(0)
        for r in 0 ... 9 { state.registers[r] = use.entry[r] }
        state.registers[10] = .pointer(.stack(frame: state.frame))
        return true
    }

    /// A global function's parameter register on entry.
    static func entryValue(_ argument: GlobalArgument, register: Int, function: Int) -> AbstractValue {
        switch argument {
        case .scalar: return .scalar(.unknown)
        case .context: return .pointer(.context)
        case .memory(let size):
            // NULL-able: the function must compare it first. Its id is its own.
            return AbstractValue(kind: .memory(size: size, nullable: true), id: -(function * 8 + register + 1))
        // A dynptr of a kind the function cannot know: not followed (what it is given is
        // checked at each call).
        case .dynptr, .unsupported: return .unknown
        }
    }

    /// A call to a global function passes what its signature asks for, as the kernel's
    /// btf_check_subprog_call checks it (EINVAL, "Caller passes invalid args into func#1 ('f')").
    static func checkArguments(_ state: PathState, of function: GlobalFunction, number: Int, at index: Int) throws(VMError) {
        for (i, argument) in function.arguments.prefix(5).enumerated() {
            let register = i + 1
            let value = state.registers[register]
            if case .context = argument, value.kind == .context, let problem = movedContext(value, register: register) {
                // The kernel's check_func_arg_reg_off: the context itself, not a moved pointer (EACCES).
                throw VMError(instruction: index, "\(problem); Caller passes invalid args into func#\(number) ('\(function.name)')",
                              errno: .EACCES)
            }
            guard let problem = mismatch(argument, value, register: register, index: i, state: state) else { continue }
            throw VMError(instruction: index, "\(problem); Caller passes invalid args into func#\(number) ('\(function.name)')")
        }
    }

    /// What the kernel's __check_ptr_off_reg says of a context pointer moved from its start.
    private static func movedContext(_ value: AbstractValue, register: Int) -> String? {
        if value.offset < 0 { return "negative offset ctx ptr R\(register) off=\(value.offset) disallowed" }
        if value.offset != 0 { return "dereference of modified ctx ptr R\(register) off=\(value.offset) disallowed" }
        if value.range.constant != 0 { return "variable ctx access disallowed" }
        return nil
    }

    private static func mismatch(_ argument: GlobalArgument, _ value: AbstractValue, register: Int, index: Int,
                                 state: PathState) -> String? {
        if case .unsupported(let reason) = argument { return reason }
        guard value.kind != .unknown, value.kind != .notInit else { return nil }
        switch argument {
        case .scalar:
            return value.isScalar ? nil : "R\(register) is not a scalar"
        case .context:
            return value.kind == .context && value.offset == 0 && value.range.constant == 0
                ? nil : "arg#\(index) expects pointer to ctx"
        case .memory(let size):
            switch value.kind {
            case .scalar:
                return value.range.constant == 0 ? nil : "R\(register) type=scalar expected=fp"
            case .stack(let frame):
                guard value.range.constant == 0, frame <= state.frame else { return nil }
                let offset = value.offset
                return offset >= -VMLimits.stackPerFrame && offset + size <= 0
                    ? nil : "invalid indirect read from stack R\(register) off=\(offset) size=\(size)"
            case .packet, .packetMeta:
                return value.offset >= 0 && value.offset + size <= value.packetRange
                    ? nil : "invalid access to packet, off=\(value.offset) size=\(size), R\(register)"
            case let .mapValue(valueSize, access, false) where !access.readable || !access.writable:
                // The callee may read and write it (the kernel checks both, const or not).
                let words = access.readable ? "write into map forbidden" : "read from map forbidden"
                return "\(words), value_size=\(valueSize) off=\(value.offset) size=\(size)"
            case .mapValue(let valueSize, _, let nullable), .memory(let valueSize, let nullable):
                if nullable || value.range.constant == nil { return nil }
                let start = value.offset + Int(truncatingIfNeeded: Int64(bitPattern: value.range.constant ?? 0))
                guard start >= 0 && start + size <= valueSize else {
                    return "invalid access to memory, mem_size=\(valueSize) off=\(start) size=\(size)"
                }
                // The callee may read and write the bytes as a helper would: never a kptr field.
                if case let .mapValue(_, access, _) = value.kind, KptrFieldAccess.touches(access, start: start, size: size) {
                    return "kptr cannot be accessed indirectly by helper"
                }
                return nil
            default:
                return "R\(register) type=\(value.typeName) expected=fp"
            }
        case .dynptr:
            // process_dynptr_func: a dynptr the caller made on its stack.
            guard case .stack = value.kind else { return "arg#\(index) expected pointer to stack or const struct bpf_dynptr" }
            do {
                try DynptrSlots.require(value, argument: index, at: 0, state)
            } catch {
                return error.reason
            }
            return nil
        case .unsupported:
            return nil
        }
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
            if state.rcuLocked {
                throw VMError(instruction: index, "BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region")
            }
            if let leaked = state.references.first {
                throw VMError(instruction: index, "\(HelperReferenceRules.unreleased(leaked)); BPF_EXIT instruction in main prog would lead to reference leak")
            }
            try SectionRules.checkExit(at: index, state)
            return nil
        }
        // A function may hand back no stack pointer, not even one into its caller's frame,
        // which would stay valid: the kernel checks this first (prepare_func_exit).
        if case .stack = state.registers[0].kind {
            throw VMError(instruction: index, "cannot return stack pointer to the caller", errno: .EINVAL)
        }
        if let back = frame.callback {
            // The helper reads the callback's r0 as a number (prepare_func_exit).
            let r0 = state.registers[0]
            if r0.kind == .notInit || r0.isKnownPointer {
                throw VMError(instruction: index, "R0 not a scalar value", errno: .EACCES)
            }
            try PathCallbacks.checkReturn(r0, allowed: back.returns, isAsync: false, at: index)
            // A reference the callback acquired and kept goes back to its caller, which must
            // release it: Linux 6.18 checks for leaks at the program's exit only
            // (check_reference_leak skips every frame above the first).
        }
        let leaving = state.frame
        state.stacks.removeLast()
        state.callbackDepths.removeLast()
        // Pointers into the frame that is gone point nowhere.
        state.updateAll { value in
            if case .stack(let f) = value.kind, f == leaving { value = .unknown }
        }
        for r in arguments { state.registers[r] = .notInit }
        if let back = frame.callback {
            for (r, saved) in back.arguments.enumerated() { state.registers[r] = saved }
        }
        for (r, saved) in zip(6 ... 9, frame.saved) { state.registers[r] = saved }
        state.registers[10] = .pointer(.stack(frame: state.frame))
        return frame.returnTo
    }
}
