import BPFCore

/// Checks a program's structure before it may run. Together with the interpreter's run-time
/// bounds checks this keeps every access inside the regions a run owns; see docs/vm.md for
/// where it accepts or refuses differently from the kernel.
enum Verifier {
    static func verify(_ program: [Instruction], options: VerifierOptions) throws(VMError) -> VerifiedProgram {
        guard !program.isEmpty else { throw VMError(instruction: nil, "program has no instructions") }
        guard program.count <= options.maxInstructions else {
            throw VMError(instruction: nil, "program too large (\(program.count) insns)", errno: .E2BIG)
        }
        // With the path analysis (program types whose rules are known), refusals that hold
        // only on some path are left to it: the kernel does not refuse what lies on no path it
        // explores (a dead branch), and the analysis makes them again on the paths it follows.
        // The checks below it are needed only where it does not run or gives up.
        var deferred: VMError?
        var verified = try decode(program, options: options, deferring: &deferred)
        try findFunctions(&verified, options: options)
        try checkJumps(verified)
        try ControlFlowCheck.run(verified, options: options, deferring: &deferred)
        try PoisonedCallCheck.run(&verified)
        try ExceptionRules.check(verified, globals: options.globalFunctions)
        if options.contextAccess != nil {
            try SubprogramPacketLoads.check(verified, returnsScalar: options.functionReturnsScalar)
        }
        if let rules = options.contextAccess {
            let setup = pathSetup(verified, options: options, rules: rules)
            let statistics = try PathExplorer.analyse(verified, setup: setup)
            verified.pathStatistics = statistics
            verified.probeLoads = setup.probeLoads.indices
            verified.inlinedLoopCalls = setup.loopInlining.inlinedCalls
            if statistics.complete { return verified }
        }
        if let deferred { throw deferred }
        try RegisterCheck.run(verified, entryRegisters: options.initializedRegisters, globals: options.globalFunctions)
        try MapCallCheck.run(verified)
        let packetFields = Set(options.contextPacketPointers.keys)
        let context = PointerStates.ContextFields(packet: packetFields, pointers: options.contextPointerFields,
                                                  numbersKnown: options.contextAccess != nil)
        try PointerStates.visit(verified, context: context) { op, index, state throws(VMError) in
            try PointerArithmeticCheck.check(op, at: index, state)
            if let rules = options.contextAccess {
                try ContextAccessCheck.check(op, at: index, state, rules: rules, packetFields: packetFields)
                try ScalarAccessCheck.check(op, at: index, state)
            }
        }
        return verified
    }

    /// What the path analysis needs of the options and the program.
    private static func pathSetup(_ verified: VerifiedProgram, options: VerifierOptions,
                                  rules: @escaping ContextAccessRule) -> PathSetup {
        var setup = PathSetup()
        setup.packetFields = options.contextPacketPointers
        if let meta = options.contextMetaField {
            setup.metaField = meta
            setup.packetFields[meta] = nil
        }
        setup.pointerFields = options.contextPointerFields
        setup.socketField = options.contextSocketField
        setup.rules = rules
        setup.pathOptions = options
        setup.fixedValues = verified.fixedValues
        setup.readOnlyMemory = KfuncPrototypes.readOnlyResults(verified)
        if let types = options.kernelTypes { setup.kernelTypes = types }
        // A kptr field loaded from a map value is read through with probe loads too.
        setup.probeLoads = ProbeLoads(active: ProbeLoads.needed(verified) || !options.localObjectTypes.isEmpty)
        setup.globalFunctions = Set(options.globalFunctions.keys)
        setup.globals = options.globalFunctions
        setup.globalsReturningScalar = Set(options.globalFunctions.filter { $0.value.returnsScalar }.keys)
        for (i, op) in verified.operations.enumerated() {
            if case .loadImm64(_, .function, _)? = op, let target = verified.immediates[i] {
                setup.callbacks.insert(Int(target))
            }
        }
        return setup
    }

    /// Decodes every slot and resolves what `lddw` refers to.
    private static func decode(_ program: [Instruction], options: VerifierOptions,
                               deferring deferred: inout VMError?) throws(VMError) -> VerifiedProgram {
        var verified = VerifiedProgram(operations: Array(repeating: nil, count: program.count))
        var i = 0
        while i < program.count {
            let next = i + 1 < program.count ? program[i + 1] : nil
            var op: Operation
            do { op = try program[i].decodeOperation(next: next) } catch {
                throw VMError(instruction: i, error.reason)
            }
            op = try KfuncCallCheck.rewrite(op, at: i, options: options)
            do {
                try checkOnPath(op, at: i, options: options)
            } catch {
                // With the path analysis these count only on a path (see verify).
                guard options.contextAccess != nil else { throw error }
                if deferred == nil { deferred = error }
            }
            if options.contextAccess == nil { try TrapKfunc.refuseUnanalysed(op, at: i) }
            verified.operations[i] = op
            if case let .loadImm64(_, source, imm) = op {
                try resolve(source, imm: imm, at: i, into: &verified, options: options)
                i += 1
            }
            i += 1
        }
        return verified
    }

    /// Refusals of one instruction that the kernel makes only when a path reaches it: helper
    /// ids, immediates the ISA defines and the kernel refuses, stack offsets through r10.
    static func checkOnPath(_ op: Operation, at i: Int, options: VerifierOptions) throws(VMError) {
        if let written = writtenRegister(op), written == 10 {
            throw VMError(instruction: i, "frame pointer is read only", errno: .EACCES)
        }
        if options.refusesUndefinedImmediates, case let .alu(kind, is64, _, .immediate(imm)) = op {
            let divides = [ALUKind.div, .sdiv, .mod, .smod].contains(kind)
            let shifts = [ALUKind.lsh, .rsh, .arsh].contains(kind)
            if divides, imm == 0 { throw VMError(instruction: i, "div by zero") }
            if shifts, imm < 0 || imm >= (is64 ? 64 : 32) { throw VMError(instruction: i, "invalid shift \(imm)") }
        }
        switch op {
        case let .call(.helper(id)):
            let isTailCall = id == VMLimits.tailCallHelper && options.allowTailCalls
            // A CO-RE poisoned call is judged by PoisonedCallCheck once reachability is known.
            guard isTailCall || options.helpers.contains(id) || PoisonedCallCheck.isPoison(id) else {
                throw VMError(instruction: i, "invalid func unknown#\(id)")
            }
        case let .load(size, _, _, 10, offset):
            try checkStack(offset, size: size, write: false, at: i)
        case let .store(size, 10, _, offset):
            try checkStack(offset, size: size, write: true, at: i)
        case let .atomic(op, size, dst, src, offset):
            let base = op == .loadAcquire ? src : dst
            guard base == 10 else { break }
            try checkStack(offset, size: size, write: op != .loadAcquire, at: i)
        default:
            break
        }
    }

    /// Accesses through r10 with a constant offset are known now; the rest are checked at run time.
    private static func checkStack(_ offset: Int16, size: AccessSize, write: Bool, at i: Int) throws(VMError) {
        let off = Int(offset)
        // Alignment first, as the kernel checks it.
        guard off % size.byteCount == 0 else {
            throw VMError(instruction: i, "misaligned stack access off 0+0+\(off) size \(size.byteCount)", errno: .EACCES)
        }
        if let errno = PathMemory.stackBoundsErrno(offset: off, size: size.byteCount) {
            throw VMError(instruction: i, "invalid \(write ? "write to" : "read from") stack R10 off=\(off) size=\(size.byteCount)",
                          errno: errno)
        }
    }

    /// The register an instruction writes, if any.
    static func writtenRegister(_ op: Operation) -> UInt8? {
        switch op {
        case let .alu(_, _, dst, _), let .byteOrder(_, _, dst), let .loadImm64(dst, _, _), let .load(_, _, dst, _, _):
            return dst
        case let .atomic(op, _, dst, src, _):
            switch op {
            case .add, .or, .and, .xor, .storeRelease: return nil
            case .cmpxchg: return 0
            case .loadAcquire: return dst
            default: return src
            }
        default:
            return nil
        }
    }

    private static func resolve(_ source: PseudoSource, imm: UInt64, at i: Int,
                                into verified: inout VerifiedProgram, options: VerifierOptions) throws(VMError) {
        let low = Int32(bitPattern: UInt32(truncatingIfNeeded: imm))
        let high = UInt32(truncatingIfNeeded: imm >> 32)
        let immediate: PseudoImmediate
        switch source {
        case .none:
            verified.immediates[i] = imm
            return
        case .function:
            // The address of a function; the value is its slot so it never exposes host memory.
            let target = i + 1 + Int(low)
            guard target >= 0, target < verified.count, high == 0 else {
                throw VMError(instruction: i, "invalid function reference \(low)")
            }
            verified.immediates[i] = UInt64(target)
            verified.functionStarts.append(target)
            return
        case .mapFD: immediate = .mapFD(low)
        case .mapValue: immediate = .mapValue(fd: low, offset: high)
        case .btfID: immediate = .variable(btfID: low)
        case .mapIndex: immediate = .mapIndex(low)
        case .mapIndexValue: immediate = .mapIndexValue(index: low, offset: high)
        }
        if source == .mapFD || source == .mapIndex, high != 0 {
            throw VMError(instruction: i, "invalid bpf_ld_imm64 insn")
        }
        guard let resolved = options.resolver?.resolve(immediate) else {
            throw VMError(instruction: i, "unresolved reference \(immediate)", errno: source == .btfID ? .EINVAL : .EBADF)
        }
        verified.immediates[i] = resolved.value
        if let region = resolved.region {
            verified.regions.append(region)
            let offset = Int(resolved.value &- region.base)
            if offset >= 0, offset < region.count {
                var reference = VerifiedProgram.ValueReference(size: region.count, offset: offset, writable: region.writable,
                                                               fixed: resolved.fixed ? region.base : nil)
                if let shape = resolved.shape, shape.spinLockOffset != nil || !shape.graphRoots.isEmpty || !shape.kptrFields.isEmpty,
                   case .mapIndexValue(let map, _) = immediate {
                    reference.lockOffset = shape.spinLockOffset
                    reference.graphRoots = shape.graphRoots
                    reference.kptrFields = shape.kptrFields
                    reference.mapName = shape.name
                    reference.identity = -Int(map) - 1
                }
                verified.valueReferences[i] = reference
                if resolved.fixed, verified.fixedValues[region.base] == nil,
                   let start = UnsafeRawPointer(bitPattern: UInt(region.base)) {
                    verified.fixedValues[region.base] = Array(UnsafeRawBufferPointer(start: start, count: region.count))
                }
            }
        }
        if let shape = resolved.shape { verified.mapShapes[i] = shape }
        if var direct = resolved.directLookup, !verified.directLookups.contains(where: { $0.handle == resolved.value }) {
            direct.handle = resolved.value
            verified.directLookups.append(direct)
        }
    }

    /// Marks bpf-to-bpf call targets as function starts.
    private static func findFunctions(_ verified: inout VerifiedProgram, options: VerifierOptions) throws(VMError) {
        for (i, op) in verified.operations.enumerated() {
            guard case let .call(.local(delta))? = op else { continue }
            let target = i + 1 + Int(delta)
            guard target >= 0, target < verified.count, verified.operations[target] != nil else {
                throw VMError(instruction: i, "call to invalid destination \(target)")
            }
            verified.functionStarts.append(target)
        }
        // The exception callback: called by no instruction, run by bpf_throw.
        if let callback = options.globalFunctions.values.first(where: \.isExceptionCallback),
           Int(callback.instruction) < verified.count {
            verified.exceptionCallback = Int(callback.instruction)
            verified.functionStarts.append(Int(callback.instruction))
        }
        verified.functionStarts = Array(Set(verified.functionStarts)).sorted()
        for start in verified.functionStarts where verified.operations[start] == nil {
            throw VMError(instruction: start, "function starts inside a 16-byte load")
        }
    }

    /// No function runs off its end, jumps stay inside their function and never land in the
    /// middle of `lddw`.
    private static func checkJumps(_ verified: VerifiedProgram) throws(VMError) {
        for f in verified.functionStarts.indices {
            let last = verified.end(ofFunction: f) - 1
            switch verified.operations[last] {
            case .exit?, .goto?: break
            default: throw VMError(instruction: last, "last insn is not an exit or jmp")
            }
        }
        for (i, op) in verified.operations.enumerated() where op != nil {
            let f = verified.function(containing: i)
            let low = verified.functionStarts[f], high = verified.end(ofFunction: f)
            for target in verified.successors(of: i) {
                guard target >= low, target < high else {
                    throw VMError(instruction: i, "jump out of range from insn \(i) to \(target)")
                }
                guard verified.operations[target] != nil else {
                    throw VMError(instruction: i, "jump into the middle of ldimm64 insn \(target - 1)")
                }
            }
        }
    }
}
