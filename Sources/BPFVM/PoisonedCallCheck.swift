import BPFCore

/// CO-RE loaders replace an instruction they could not relocate by a call to helper 0xbad2310
/// ("bad relo"). The kernel accepts that only in code it never reaches — code behind a branch
/// on a constant, such as `if (bpf_core_field_exists(...))` answered 0 — and refuses it as an
/// unknown helper otherwise. This follows constants through registers to find which code is
/// reachable, refuses a reachable poisoned call, and, as the kernel's dead code sanitizer does,
/// turns unreachable code into `ja -1` so later checks do not judge code that never runs.
/// The markers of sleepable kfuncs (`SleepableKfuncs`) are judged the same way, with the
/// kernel's words for them.
enum PoisonedCallCheck {
    static let helper: Int32 = 0xbad2310
    /// libbpf's poison for a call of an absent weak kfunc: this plus the extern's index.
    static let kfuncPoisons: Range<Int32> = 2_002_000_000 ..< 2_003_000_000

    static func isPoison(_ id: Int32) -> Bool {
        id == helper || kfuncPoisons.contains(id) || SleepableKfuncs.calls.contains(id)
    }

    /// What is known of a register: a number, or the address of a frozen read-only value
    /// (`.rodata`), whose loads are constants as the kernel's bpf_map_direct_read makes them
    /// (`if (never)` on a `volatile const` guards code with a poisoned relocation).
    enum Known: Equatable {
        case number(UInt64)
        case fixedAddress(UInt64)
    }
    /// A register: nil when unknown.
    typealias Registers = [Known?]

    static func run(_ program: inout VerifiedProgram) throws(VMError) {
        let poisoned = program.operations.indices.filter { i in
            if case .call(.helper(let id))? = program.operations[i] { return isPoison(id) }
            return false
        }
        guard !poisoned.isEmpty else { return }
        let reached = reachable(program)
        for i in poisoned where reached[i] {
            guard case .call(.helper(let id))? = program.operations[i] else { continue }
            if let name = SleepableKfuncs.name(of: id) {
                throw VMError(instruction: i, SleepableKfuncs.refusal(of: name), errno: .EACCES)
            }
            throw VMError(instruction: i, "invalid func unknown#\(id)")
        }
        for i in program.operations.indices where !reached[i] && program.operations[i] != nil {
            program.operations[i] = .goto(offset: -1, long: false)
        }
    }

    /// Which slots some run can reach, following only the taken side of a branch on constants.
    /// A function is reached when reached code calls it (or takes its address), and starts with
    /// unknown registers; a register only goes from known to unknown, so the work is bounded by
    /// slots × registers.
    static func reachable(_ program: VerifiedProgram) -> [Bool] {
        let unknown = Registers(repeating: nil, count: 11)
        var state = [Registers?](repeating: nil, count: program.count)
        var work: [Int] = []
        if program.count > 0 {
            state[0] = unknown
            work.append(0)
        }
        while let i = work.popLast() {
            guard let op = program.operations[i], let before = state[i] else { continue }
            for callee in ControlFlowCheck.calledFunctions(program, at: i)
            where callee >= 0 && callee < program.count && state[callee] == nil {
                state[callee] = unknown
                work.append(callee)
            }
            let after = transfer(op, before, at: i, program: program)
            for next in successors(op, at: i, registers: before, program: program) where next >= 0 && next < program.count {
                let merged = state[next].map { merge($0, after) } ?? after
                if state[next] != merged {
                    state[next] = merged
                    work.append(next)
                }
            }
        }
        return state.map { $0 != nil }
    }

    private static func merge(_ a: Registers, _ b: Registers) -> Registers {
        zip(a, b).map { $0 == $1 ? $0 : nil }
    }

    private static func successors(_ op: Operation, at i: Int, registers: Registers, program: VerifiedProgram) -> [Int] {
        guard case let .jump(condition, is64, dst, operand, offset) = op,
              let left = value(dst, registers), let right = value(operand, registers) else {
            return program.successors(of: i)
        }
        let taken = is64 ? holds(condition, left, right)
            : holds(condition, UInt64(UInt32(truncatingIfNeeded: left)), UInt64(UInt32(truncatingIfNeeded: right)), bits: 32)
        return [taken ? i + 1 + Int(offset) : i + 1]
    }

    private static func value(_ r: UInt8, _ registers: Registers) -> UInt64? {
        guard Int(r) < registers.count, case .number(let n)? = registers[Int(r)] else { return nil }
        return n
    }

    private static func address(_ r: UInt8, _ registers: Registers) -> UInt64? {
        guard Int(r) < registers.count, case .fixedAddress(let a)? = registers[Int(r)] else { return nil }
        return a
    }

    /// The constant a load of `size` bytes at `address` reads from a frozen value, if it lies in one.
    private static func fixedLoad(_ address: UInt64, size: Int, signed: Bool, program: VerifiedProgram) -> UInt64? {
        for (base, bytes) in program.fixedValues where address >= base {
            let offset = address - base
            guard offset <= UInt64(bytes.count), UInt64(size) <= UInt64(bytes.count) - offset else { continue }
            var value: UInt64 = 0
            for k in 0 ..< size { value |= UInt64(bytes[Int(offset) + k]) << (8 * UInt64(k)) }
            if signed, size < 8 {
                let shift = UInt64(64 - 8 * size)
                value = UInt64(bitPattern: Int64(bitPattern: value << shift) >> shift)
            }
            return value
        }
        return nil
    }

    private static func value(_ operand: Operand, _ registers: Registers) -> UInt64? {
        switch operand {
        case .immediate(let imm): UInt64(bitPattern: Int64(imm))
        case .register(let r): value(r, registers)
        }
    }

    static func holds(_ condition: JumpCondition, _ a: UInt64, _ b: UInt64, bits: Int = 64) -> Bool {
        let sa = bits == 64 ? Int64(bitPattern: a) : Int64(Int32(truncatingIfNeeded: a))
        let sb = bits == 64 ? Int64(bitPattern: b) : Int64(Int32(truncatingIfNeeded: b))
        switch condition {
        case .eq: return a == b
        case .ne: return a != b
        case .gt: return a > b
        case .ge: return a >= b
        case .lt: return a < b
        case .le: return a <= b
        case .set: return a & b != 0
        case .sgt: return sa > sb
        case .sge: return sa >= sb
        case .slt: return sa < sb
        case .sle: return sa <= sb
        }
    }

    /// Registers after `op`: constants through moves and simple arithmetic, unknown otherwise.
    private static func transfer(_ op: Operation, _ before: Registers, at i: Int, program: VerifiedProgram) -> Registers {
        var r = before
        func set(_ reg: UInt8, _ v: UInt64?) { if Int(reg) < r.count { r[Int(reg)] = v.map(Known.number) } }
        switch op {
        case let .alu(kind, true, dst, operand) where movedAddress(kind, dst, operand, before) != nil:
            // A frozen value's address copied, or moved by a constant, stays one.
            if Int(dst) < r.count { r[Int(dst)] = movedAddress(kind, dst, operand, before).map(Known.fixedAddress) }
        case let .alu(kind, is64, dst, operand):
            let source = value(operand, before)
            var result: UInt64?
            switch kind {
            case .mov: result = source
            case .add: result = both(value(dst, before), source) { $0 &+ $1 }
            case .sub: result = both(value(dst, before), source) { $0 &- $1 }
            case .and: result = both(value(dst, before), source) { $0 & $1 }
            case .or: result = both(value(dst, before), source) { $0 | $1 }
            case .xor: result = both(value(dst, before), source) { $0 ^ $1 }
            default: result = nil
            }
            if !is64 { result = result.map { UInt64(UInt32(truncatingIfNeeded: $0)) } }
            set(dst, result)
        case let .loadImm64(dst, source, _):
            if source == .none {
                set(dst, program.immediates[i])
            } else if program.valueReferences[i]?.fixed != nil, let address = program.immediates[i], Int(dst) < r.count {
                r[Int(dst)] = .fixedAddress(address)
            } else {
                set(dst, nil)
            }
        case let .load(size, signed, dst, src, offset):
            let loaded = address(src, before).flatMap { base in
                fixedLoad(base &+ UInt64(bitPattern: Int64(offset)), size: size.byteCount, signed: signed, program: program)
            }
            set(dst, loaded)
        case let .byteOrder(_, _, dst):
            set(dst, nil)
        case .atomic:
            if let written = Verifier.writtenRegister(op) { set(written, nil) }
        case .call, .packetLoad:
            for reg in 0 ... 5 { r[reg] = nil }
        case .store, .jump, .goto, .mayGoto, .exit:
            break
        }
        return r
    }

    private static func movedAddress(_ kind: ALUKind, _ dst: UInt8, _ operand: Operand, _ before: Registers) -> UInt64? {
        switch (kind, operand) {
        case (.mov, .register(let s)): address(s, before)
        case (.add, _): value(operand, before).flatMap { n in address(dst, before).map { $0 &+ n } }
        case (.sub, _): value(operand, before).flatMap { n in address(dst, before).map { $0 &- n } }
        default: nil
        }
    }

    private static func both(_ a: UInt64?, _ b: UInt64?, _ f: (UInt64, UInt64) -> UInt64) -> UInt64? {
        guard let a, let b else { return nil }
        return f(a, b)
    }
}
