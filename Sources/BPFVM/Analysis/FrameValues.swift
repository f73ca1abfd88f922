import BPFCore

/// Per instruction, what r0-r10 hold on every way there, as far as stack addresses go: r10
/// plus a constant, a constant, or the map an `lddw` loaded; and which slots of the frame hold
/// r10 plus a constant stored whole (a spilled stack pointer). A pointer filled back from such a
/// slot is known again, so the facts pruning relies on can name the exact slots a load, a store
/// or a helper's memory argument reaches through it (a program that keeps its key's address
/// in a slot and fills it before each lookup otherwise makes every slot live).
///
/// A forward pass over each function on its own; a call forgets what its callee or helper may
/// overwrite.
enum FrameValues {
    /// What a register holds before an instruction, on every way there.
    enum Known: Hashable {
        case unreached, frame(Int64), number(Int64), map(Int), varies

        func joined(_ other: Known) -> Known {
            if self == .unreached { return other }
            return other == .unreached || other == self ? self : .varies
        }
    }

    /// Before one instruction: the registers, and the slots holding r10 plus a constant
    /// (slot → that constant).
    struct State: Hashable {
        var registers: [Known]
        var spilled: [Int: Int64]

        static let unreached = State(registers: Array(repeating: .unreached, count: 11), spilled: [:])
        var isReached: Bool { registers[10] != .unreached }

        func joined(_ other: State) -> State {
            guard isReached else { return other }
            guard other.isReached else { return self }
            return State(registers: zip(registers, other.registers).map { $0.joined($1) },
                         spilled: spilled.filter { other.spilled[$0.key] == $0.value })
        }

        /// The constant offset from r10 a register holds, when known.
        func frameOffset(_ register: UInt8) -> Int64? {
            guard register < 11, case .frame(let offset) = registers[Int(register)] else { return nil }
            return offset
        }
    }

    /// Where in the frame an access at `offset` from `register` lands: r10's own, or a register
    /// `state` knows holds r10 plus a constant.
    static func address(_ register: UInt8, _ offset: Int16, in state: State?) -> Int64? {
        if register == 10 { return Int64(offset) }
        guard let base = state?.frameOffset(register) else { return nil }
        return base &+ Int64(offset)
    }

    /// `stackPointers`: the registers that may point into a stack (`StackPointers`), for the
    /// stores whose address is not known. `writes`: per helper call, the argument registers
    /// whose memory the helper may write (absent: any memory argument may be written).
    static func compute(_ program: VerifiedProgram, stackPointers: [UInt16], writes: [Int: UInt16] = [:]) -> [State] {
        var values = [State](repeating: .unreached, count: program.count)
        for start in program.functionStarts where start < program.count {
            values[start] = State(registers: Array(repeating: .varies, count: 10) + [.frame(0)], spilled: [:])
        }
        var changed = true
        while changed {
            changed = false
            for index in 0 ..< program.count where values[index].isReached {
                guard let op = program.operations[index] else { continue }
                let mayBeStack = index < stackPointers.count ? stackPointers[index] : .max
                let out = after(op, at: index, values[index], program, mayBeStack: mayBeStack, writes: writes[index])
                for next in program.successors(of: index) where next < program.count {
                    let joined = values[next].joined(out)
                    if joined != values[next] {
                        values[next] = joined
                        changed = true
                    }
                }
            }
        }
        return values
    }

    private static func slotIndex(_ offset: Int64) -> Int? {
        guard offset < 0, offset >= -Int64(VMLimits.stackPerFrame) else { return nil }
        return Int((-offset - 1) / 8)
    }

    /// Forgets the spilled pointers in the bytes [offset, offset + size).
    private static func forget(_ spilled: inout [Int: Int64], from offset: Int64, size: Int64) {
        guard !spilled.isEmpty else { return }
        var byte = offset
        let end = offset &+ max(1, min(size, Int64(VMLimits.stackPerFrame)))
        while byte < end {
            if let slot = slotIndex(byte) { spilled[slot] = nil }
            byte += 1
        }
    }

    private static func after(_ op: Operation, at index: Int, _ before: State, _ program: VerifiedProgram,
                              mayBeStack: UInt16, writes: UInt16?) -> State {
        var state = before
        func set(_ register: UInt8, _ value: Known) { if register < 10 { state.registers[Int(register)] = value } }
        func may(_ register: UInt8) -> Bool { register < 16 && mayBeStack & (1 << UInt16(register)) != 0 }
        switch op {
        case let .alu(kind, is64, dst, operand) where dst < 11:
            let source: Known = switch operand {
            case .immediate(let imm): .number(is64 ? Int64(imm) : Int64(UInt32(bitPattern: imm)))
            case .register(let s): s < 11 ? before.registers[Int(s)] : .varies
            }
            switch (kind, is64, before.registers[Int(dst)], source) {
            case (.mov, true, _, _): set(dst, source)
            case (.mov, false, _, .number(let n)): set(dst, .number(n & 0xffff_ffff))
            case let (.add, true, .frame(a), .number(b)), let (.add, true, .number(b), .frame(a)):
                set(dst, .frame(a &+ b))
            case let (.sub, true, .frame(a), .number(b)): set(dst, .frame(a &- b))
            default: set(dst, .varies)
            }
        case let .loadImm64(dst, source, _):
            let map = (source == .mapFD || source == .mapIndex) && program.mapShapes[index] != nil
            set(dst, map ? .map(index) : .varies)
        case let .load(size, _, dst, src, offset):
            // A whole, aligned fill of a slot holding a stack pointer gives it back.
            if size.byteCount == 8, let base = before.frameOffset(src), let slot = slotIndex(base &+ Int64(offset)),
               (base &+ Int64(offset)) % 8 == 0, let pointer = before.spilled[slot] {
                set(dst, .frame(pointer))
            } else {
                set(dst, .varies)
            }
        case let .byteOrder(_, _, dst):
            set(dst, .varies)
        case let .store(size, dst, value, offset):
            if let base = before.frameOffset(dst) {
                let at = base &+ Int64(offset)
                forget(&state.spilled, from: at, size: Int64(size.byteCount))
                if size.byteCount == 8, at % 8 == 0, let slot = slotIndex(at), case .register(let src) = value,
                   let pointer = before.frameOffset(src) {
                    state.spilled[slot] = pointer
                }
            } else if may(dst) {
                state.spilled = [:]
            }
        case let .atomic(kind, size, dst, src, offset):
            if kind != .loadAcquire {
                if let base = before.frameOffset(dst) {
                    forget(&state.spilled, from: base &+ Int64(offset), size: Int64(size.byteCount))
                } else if may(dst) {
                    state.spilled = [:]
                }
            }
            set(0, .varies)
            set(dst, .varies)
            set(src, .varies)
        case .call(.helper):
            // The memory arguments a helper may write lose their spilled pointers; an argument
            // whose offset is not known may reach any slot.
            let written = writes ?? 0b11_1110
            for register in UInt8(1) ... 5 where written & (1 << UInt16(register)) != 0 && may(register) {
                if let base = before.frameOffset(register) {
                    forget(&state.spilled, from: base, size: -base)
                } else {
                    state.spilled = [:]
                }
            }
            for register in 0 ... 5 { state.registers[register] = .varies }
        case .call, .packetLoad:
            // A function may write its caller's frame through any pointer into it.
            if (1 ... 5).contains(where: { may(UInt8($0)) }) { state.spilled = [:] }
            for register in 0 ... 5 { state.registers[register] = .varies }
        default:
            break
        }
        return state
    }
}
