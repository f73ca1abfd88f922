import BPFCore

/// The effect of one straight-line instruction on a path's state, refusing what the kernel
/// refuses on it.
enum PathTransfer {
    static func apply(_ op: Operation, at index: Int, to state: inout PathState, losses: inout Int,
                      program: VerifiedProgram, setup: PathSetup) throws(VMError) {
        switch op {
        case let .alu(kind, is64, dst, operand):
            try alu(kind, is64: is64, dst: dst, operand, at: index, &state)
        case let .byteOrder(kind, bits, dst):
            let value = state.registers[Int(dst)]
            // A byte swap of a pointer leaves a number (for a privileged loader).
            state.registers[Int(dst)] = value.isScalar
                ? .scalar(ScalarArithmetic.byteOrder(kind, bits: bits, value.range))
                : value.isKnownPointer ? .scalar(.unknown) : .unknown
        case let .loadImm64(dst, source, _):
            state.registers[Int(dst)] = immediate(source, at: index, program: program)
        case let .load(size, signed, dst, src, offset):
            let base = state.registers[Int(src)]
            if signed { try SignedContextLoads.check(base, offset: Int(offset), size: size.byteCount, at: index, setup: setup) }
            try PathMemory.check(base, register: src, offset: Int(offset), size: size.byteCount, write: false,
                                 at: index, state: state, setup: setup)
            try SpecialStackReads.check(base, offset: Int(offset), size: size.byteCount, register: nil, at: index, state)
            state.registers[Int(dst)] = KptrFieldAccess.loaded(from: base, offset: Int(offset), size: size.byteCount, at: index, setup: setup)
                ?? PathMemory.load(from: base, offset: Int(offset), size: size.byteCount, signed: signed, state: state, setup: setup)
        case let .store(size, dst, value, offset):
            let base = state.registers[Int(dst)]
            try PathMemory.check(base, register: dst, offset: Int(offset), size: size.byteCount, write: true,
                                 at: index, state: state, setup: setup)
            var stored: AbstractValue = switch value {
            case .register(let r): state.registers[Int(r)]
            case .immediate(let imm): .constant(UInt64(bitPattern: Int64(imm)))
            }
            if case .register(let r) = value, let tied = StackSpillIDs.tie(stored, to: base, offset: Int(offset),
                                                                           size: size.byteCount, at: index) {
                stored = tied
                state.registers[Int(r)] = tied
            }
            let source: KptrStores.Source = switch value {
            case .register(let r): .register(r, stored)
            case .immediate(let imm): .immediate(imm)
            }
            try KptrStores.check(base, offset: Int(offset), size: size.byteCount, source, at: index, setup: setup)
            try checkSpill(stored, to: base, size: size.byteCount, at: index, state)
            try DynptrReferences.checkStore(to: base, offset: Int(offset), size: size.byteCount, at: index, state)
            DynptrSlices.stored(to: base, offset: Int(offset), size: size.byteCount, &state)
            PathMemory.store(stored, to: base, offset: Int(offset), size: size.byteCount, state: &state)
        case let .atomic(kind, size, dst, src, offset):
            try atomic(kind, size: size.byteCount, dst: dst, src: src, offset: Int(offset), at: index, &state, setup: setup)
        case let .packetLoad(size, _, _):
            if !setup.pathOptions.allowsPacketLoads {
                throw VMError(instruction: index, "BPF_LD_[ABS|IND] instructions not allowed for this program type", errno: .EINVAL)
            }
            // A load past the packet ends the program: nothing may be held then.
            if let held = state.references.first {
                throw VMError(instruction: index, "\(HelperReferenceRules.unreleased(held)); BPF_LD_[ABS|IND] would lead to reference leak")
            }
            if state.lockHeld {
                throw VMError(instruction: index, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region")
            }
            let skb = state.registers[6]
            if skb.kind != .context, skb.kind != .unknown, skb.kind != .notInit {
                throw VMError(instruction: index, "at the time of BPF_LD_ABS|IND R6 != pointer to skb")
            }
            for r in 1 ... 5 { state.registers[r] = .notInit }
            state.registers[0] = .scalar(.loaded(bytes: size.byteCount))
        case .call(.helper(let id)):
            try PathHelpers.call(id, at: index, &state, setup: setup)
            losses += 1  // the kernel knows more of some helpers' results than this analysis
        case .call:
            if state.lockHeld {
                throw VMError(instruction: index, "function calls are not allowed while holding a lock")
            }
            for r in 1 ... 5 { state.registers[r] = .notInit }
            state.registers[0] = .unknown
            losses += 1
        case .jump, .goto, .mayGoto, .exit:
            break  // PathExplorer follows control flow itself
        }
    }

    /// A pointer written to the stack is spilled whole, and never into a caller's frame
    /// (check_stack_write_fixed_off); a store-release writes there as a store does.
    private static func checkSpill(_ stored: AbstractValue, to base: AbstractValue, size: Int, at index: Int,
                                   _ state: PathState) throws(VMError) {
        if case .stack = base.kind, stored.isKnownPointer, size != 8 {
            throw VMError(instruction: index, "invalid size of register spill", errno: .EACCES)
        }
        // A frame below may outlive what a stack pointer points to.
        if case .stack(let frame) = base.kind, frame < state.frame, base.range.constant == 0, case .stack = stored.kind {
            throw VMError(instruction: index, "cannot spill pointers to stack into stack frame of the caller", errno: .EINVAL)
        }
    }

    private static func immediate(_ source: PseudoSource, at index: Int, program: VerifiedProgram) -> AbstractValue {
        switch source {
        case .none:
            return .constant(program.immediates[index] ?? 0)
        case .mapFD, .mapIndex:
            guard let shape = program.mapShapes[index] else { return .unknown }
            return .pointer(.map(shape))
        case .mapValue, .mapIndexValue:
            guard let value = program.valueReferences[index] else { return .unknown }
            var access = MapValueAccess(writable: value.writable, fixed: value.fixed)
            access.lockOffset = value.lockOffset
            access.graphRoots = value.graphRoots
            access.kptrFields = value.kptrFields
            access.mapName = value.mapName
            var pointer = AbstractValue.pointer(.mapValue(size: value.size, access: access, nullable: false), offset: value.offset)
            pointer.id = value.identity
            return pointer
        case .function:
            return .pointer(.function(Int(program.immediates[index] ?? 0)))
        case .btfID:
            return .unknown
        }
    }

    private static func alu(_ kind: ALUKind, is64: Bool, dst: UInt8, _ operand: Operand, at index: Int,
                            _ state: inout PathState) throws(VMError) {
        let d = state.registers[Int(dst)]
        let source: AbstractValue
        var sourceRegister: Int?
        switch operand {
        case .register(let r):
            source = state.registers[Int(r)]
            sourceRegister = Int(r)
        case .immediate(let imm):
            source = .constant(UInt64(bitPattern: Int64(imm)))
        }
        // A 32-bit copy of a number that fits in 32 bits is the same number: the kernel ties
        // it to its source too.
        let wholeCopy = kind == .mov && (is64 || (source.isScalar && source.range.fits32))
        if wholeCopy {
            var copy = source
            if copy.isScalar, copy.id == 0, copy.range.constant == nil, let r = sourceRegister {
                // Tie the copies so a comparison of one bounds both (the kernel's scalar ids).
                copy.id = index + 1
                copy.delta = 0
                copy.delta32 = false
                state.registers[r] = copy
            }
            state.registers[Int(dst)] = copy
            return
        }
        if kind == .mov || kind == .movsx(bits: 8) || kind == .movsx(bits: 16) || kind == .movsx(bits: 32) {
            // A 32-bit or sign-extending copy of a pointer keeps none of its type.
            guard source.isScalar else {
                state.registers[Int(dst)] = source.kind == .unknown || source.kind == .notInit
                    ? .unknown : .scalar(is64 ? .unknown : .upTo(UInt64(UInt32.max)))
                return
            }
            let range = ScalarArithmetic.apply(kind, is64: is64, d.range, source.range)
            state.registers[Int(dst)] = .scalar(range)
            return
        }
        if d.isScalar, source.isScalar {
            let range = ScalarArithmetic.apply(kind, is64: is64, d.range, source.range)
            var result = AbstractValue.scalar(range)
            // dst += constant keeps the tie to dst's copies, offset by the constant, as the
            // kernel's BPF_ADD_CONST: once only, with a constant that fits in s32; a 32-bit add
            // only of a number whose upper half is zero, and its copies zero-extend.
            if d.id != 0, d.delta == 0, !d.delta32, let c = source.range.constant, kind == .add || kind == .sub {
                let step = is64 ? Int64(bitPattern: c) : Int64(Int32(truncatingIfNeeded: c))
                if step > Int64(Int32.min), step <= Int64(Int32.max), is64 || d.range.umax <= UInt64(UInt32.max) {
                    result.id = d.id
                    result.delta = kind == .add ? step : -step
                    result.delta32 = !is64
                }
            }
            state.registers[Int(dst)] = result
            return
        }
        state.registers[Int(dst)] = try PathPointerArithmetic.result(kind, is64: is64, dst: dst, d, source, at: index)
    }

    private static func atomic(_ kind: AtomicOpcode, size: Int, dst: UInt8, src: UInt8, offset: Int, at index: Int,
                               _ state: inout PathState, setup: PathSetup) throws(VMError) {
        if kind == .loadAcquire {
            let base = state.registers[Int(src)]
            try AtomicPointerTypes.check(base, register: src, loads: true, at: index)
            try PathMemory.check(base, register: src, offset: offset, size: size, write: false, at: index, state: state, setup: setup)
            state.registers[Int(dst)] = PathMemory.load(from: base, offset: offset, size: size, signed: false,
                                                         state: state, setup: setup)
            return
        }
        let base = state.registers[Int(dst)]
        try AtomicPointerTypes.check(base, register: dst, loads: false, at: index)
        if case .mapValue = base.kind, let variable = base.range.constant,
           (base.offset + offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))) % size != 0 {
            throw VMError(instruction: index, "misaligned value access off 0+\(base.offset)+\(offset) size \(size)", errno: .EACCES)
        }
        try PathMemory.check(base, register: dst, offset: offset, size: size, write: true, at: index, state: state, setup: setup)
        try DynptrReferences.checkStore(to: base, offset: offset, size: size, at: index, state)
        DynptrSlices.stored(to: base, offset: offset, size: size, &state)
        if kind == .storeRelease {
            try checkSpill(state.registers[Int(src)], to: base, size: size, at: index, state)
            PathMemory.store(state.registers[Int(src)], to: base, offset: offset, size: size, state: &state)
            return
        }
        PathMemory.store(.scalar(.loaded(bytes: size)), to: base, offset: offset, size: size, state: &state)
        let fetched = AbstractValue.scalar(.loaded(bytes: size))
        switch kind {
        case .cmpxchg: state.registers[0] = fetched
        case .fetchAdd, .fetchOr, .fetchAnd, .fetchXor, .xchg: state.registers[Int(src)] = fetched
        default: break
        }
    }
}
