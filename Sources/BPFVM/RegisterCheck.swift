import BPFCore

/// Refuses reads of registers no path has written, like the kernel's `R%d !read_ok`.
///
/// A forward must-analysis: at each instruction, the set of registers written on every path
/// from the function's start (a bit per register, intersected where paths meet).
enum RegisterCheck {
    typealias Registers = UInt16
    static let callerSaved: Registers = 0b11_1110  // r1-r5
    static let frame: Registers = 1 << 10

    /// Checks every function, callees before their callers: a call to a static function leaves
    /// r0 written only if the callee writes it on every path, because the kernel copies the
    /// callee's r0 back whatever its state (LLVM drops the return value of a static function
    /// whose callers ignore it).
    static func run(_ program: VerifiedProgram, entryRegisters: Set<UInt8>,
                    globals: [Int: GlobalFunction] = [:]) throws(VMError) {
        var entry: Registers = frame
        for r in entryRegisters where r <= 10 { entry |= 1 << r }
        try checkGlobalCalls(program, globals: globals)
        let callbacks = callbackFunctions(program)
        var setsR0 = [Bool](repeating: false, count: program.functionStarts.count)
        for f in calleesFirst(program) {
            let start = program.functionStarts[f]
            // The program, a callback and a global function return to the kernel, which reads
            // r0; a static function returns to its caller, which may ignore it.
            let returnsToKernel = f == 0 || callbacks.contains(f) || globals[start] != nil
            setsR0[f] = try check(program, function: f, entry: f == 0 && start == 0 ? entry : (callerSaved | frame),
                                  exitReadsR0: returnsToKernel, globals: globals, setsR0: setsR0)
        }
    }

    /// Runs the must-analysis over one function; answers whether r0 is written at every exit.
    private static func check(_ program: VerifiedProgram, function f: Int, entry: Registers, exitReadsR0: Bool,
                              globals: [Int: GlobalFunction], setsR0: [Bool]) throws(VMError) -> Bool {
        let start = program.functionStarts[f]
        var state = [Registers?](repeating: nil, count: program.count)
        // A callee sees the caller's r1-r5 as its arguments; which of them the caller set is
        // not tracked across calls (see docs/vm.md).
        state[start] = entry
        var work = [start]
        var writtenAtEveryExit = true
        while let i = work.popLast() {
            guard let op = program.operations[i], let before = state[i] else { continue }
            var (reads, after) = effect(of: op)
            switch op {
            case .exit:
                if !exitReadsR0 { reads = 0 }
                if before & 1 == 0 { writtenAtEveryExit = false }
            case .call(.local(let delta)):
                let target = i + 1 + Int(delta)
                if globals[target] == nil, !setsR0[program.function(containing: target)] {
                    after = { $0 & ~callerSaved & ~1 }
                }
            default:
                break
            }
            let missing = reads & ~before
            if missing != 0 {
                throw VMError(instruction: i, "R\(missing.trailingZeroBitCount) !read_ok", errno: .EACCES)
            }
            let out = after(before)
            for next in program.successors(of: i) {
                let merged = state[next].map { $0 & out } ?? out
                if merged != state[next] {
                    state[next] = merged
                    work.append(next)
                }
            }
        }
        return writtenAtEveryExit
    }

    /// The kernel checks a call to a global function against its BTF signature when it reaches
    /// the call, before it verifies the function itself: one that returns no scalar is refused.
    private static func checkGlobalCalls(_ program: VerifiedProgram, globals: [Int: GlobalFunction]) throws(VMError) {
        guard !globals.isEmpty else { return }
        for (i, op) in program.operations.enumerated() {
            guard case .call(.local(let delta))? = op, let global = globals[i + 1 + Int(delta)],
                  !global.returnsScalar else { continue }
            throw VMError(instruction: i, "Global function \(global.name)() doesn't return scalar. Only those are supported.",
                          errno: .EINVAL)
        }
    }

    /// Functions whose address a program takes (`ld_imm64` of a function): callbacks of helpers.
    private static func callbackFunctions(_ program: VerifiedProgram) -> Set<Int> {
        var result = Set<Int>()
        for (i, op) in program.operations.enumerated() {
            guard case .loadImm64(_, .function, _)? = op, let target = program.immediates[i] else { continue }
            result.insert(program.function(containing: Int(target)))
        }
        return result
    }

    /// Every function after all the functions it calls. The call graph has no cycles: the
    /// control-flow check refused recursion before this runs. Iterative, as functions may be many.
    private static func calleesFirst(_ program: VerifiedProgram) -> [Int] {
        let functions = program.functionStarts.count
        var callees = [[Int]](repeating: [], count: functions)
        for (i, op) in program.operations.enumerated() {
            guard case .call(.local(let delta))? = op else { continue }
            callees[program.function(containing: i)].append(program.function(containing: i + 1 + Int(delta)))
        }
        var order: [Int] = []
        var visited = [Bool](repeating: false, count: functions)
        for root in 0..<functions where !visited[root] {
            visited[root] = true
            var path: [(function: Int, next: Int)] = [(root, 0)]
            while let (f, next) = path.last {
                if next < callees[f].count {
                    path[path.count - 1].next += 1
                    let callee = callees[f][next]
                    if !visited[callee] {
                        visited[callee] = true
                        path.append((callee, 0))
                    }
                    continue
                }
                path.removeLast()
                order.append(f)
            }
        }
        return order
    }

    private static func bit(_ r: UInt8) -> Registers { 1 << Registers(r) }

    private static func bits(_ operand: Operand) -> Registers {
        if case .register(let r) = operand { return bit(r) }
        return 0
    }

    /// The registers an operation reads, and how it changes the set of written ones.
    static func effect(of op: Operation) -> (reads: Registers, update: (Registers) -> Registers) {
        switch op {
        case let .alu(kind, _, dst, operand):
            let readsDst: Registers
            switch kind {
            case .mov, .movsx: readsDst = 0
            default: readsDst = bit(dst)
            }
            return (readsDst | bits(operand), { $0 | bit(dst) })
        case let .byteOrder(_, _, dst):
            return (bit(dst), { $0 })
        case let .loadImm64(dst, _, _):
            return (0, { $0 | bit(dst) })
        case let .load(_, _, dst, src, _):
            return (bit(src), { $0 | bit(dst) })
        case let .store(_, dst, value, _):
            return (bit(dst) | bits(value), { $0 })
        case let .atomic(kind, _, dst, src, _):
            switch kind {
            case .loadAcquire: return (bit(src), { $0 | bit(dst) })
            case .cmpxchg: return (bit(dst) | bit(src) | 1, { $0 | 1 })
            default:
                let written = Verifier.writtenRegister(op).map(bit) ?? 0
                return (bit(dst) | bit(src), { $0 | written })
            }
        case let .packetLoad(_, index, _):
            // The kernel needs the context in r6 and clobbers r1-r5 like a call.
            return (bit(6) | (index.map(bit) ?? 0), { ($0 & ~callerSaved) | 1 })
        case let .jump(_, _, dst, operand, _):
            return (bit(dst) | bits(operand), { $0 })
        case .goto, .mayGoto:
            return (0, { $0 })
        case .call(let target):
            let reads: Registers = if case .register(let r) = target { bit(r) } else { 0 }
            return (reads, { ($0 & ~callerSaved) | 1 })
        case .exit:
            return (1, { $0 })
        }
    }
}
