import BPFCore

/// Refuses 32-bit ALU operations on pointers, as the kernel does ("R%d 32-bit pointer arithmetic
/// prohibited", EACCES): only `mov`, `neg` and `sub` (which give a scalar) may take a pointer in
/// 32 bits. Which registers hold pointers is a must-analysis — a register counts only when every
/// path makes it one (the frame pointer, the context, copies of them and constant offsets from
/// them, and the packet pointers loaded from the context) — so a program the kernel accepts is
/// never refused here; the kernel refuses more, since it tracks every pointer on every path.
enum PointerArithmeticCheck {
    /// Registers as bits: pointers, and those that are the context itself.
    struct State: Equatable {
        var pointers: UInt16
        var context: UInt16

        static let top = State(pointers: 0xffff, context: 0xffff)

        func meet(_ other: State) -> State {
            State(pointers: pointers & other.pointers, context: context & other.context)
        }
    }

    static let framePointer: UInt16 = 1 << 10

    static func run(_ program: VerifiedProgram, contextPacketFields: Set<Int16>) throws(VMError) {
        for (index, start) in program.functionStarts.enumerated() {
            let end = program.end(ofFunction: index)
            // The entry function gets the context in r1; a subprogram's arguments are unknown.
            let entry = start == 0 ? State(pointers: framePointer | 1 << 1, context: 1 << 1)
                                   : State(pointers: framePointer, context: 0)
            try analyse(program, start: start, end: end, entry: entry, contextPacketFields: contextPacketFields)
        }
    }

    private static func analyse(_ program: VerifiedProgram, start: Int, end: Int, entry: State,
                                contextPacketFields: Set<Int16>) throws(VMError) {
        var before = [State](repeating: .top, count: end - start)
        var visited = [Bool](repeating: false, count: end - start)
        before[0] = entry
        visited[0] = true
        var pending = [start]
        while let index = pending.popLast() {
            guard let op = program.operations[index] else { continue }
            let state = before[index - start]
            try check(op, at: index, state)
            let after = transfer(op, state, contextPacketFields: contextPacketFields)
            for next in program.successors(of: index) where next >= start && next < end {
                let slot = next - start
                let merged = visited[slot] ? before[slot].meet(after) : after
                if !visited[slot] || merged != before[slot] {
                    before[slot] = merged
                    visited[slot] = true
                    pending.append(next)
                }
            }
        }
    }

    private static func bit(_ register: UInt8) -> UInt16 { register < 16 ? 1 << UInt16(register) : 0 }

    private static func check(_ op: Operation, at index: Int, _ state: State) throws(VMError) {
        guard case let .alu(kind, is64, dst, operand) = op, !is64 else { return }
        switch kind {
        case .mov, .movsx, .neg, .sub: return
        default: break
        }
        var operands = bit(dst)
        if case .register(let source) = operand { operands |= bit(source) }
        guard state.pointers & operands != 0 else { return }
        throw VMError(instruction: index, "R\(dst) 32-bit pointer arithmetic prohibited", errno: .EACCES)
    }

    private static func transfer(_ op: Operation, _ state: State, contextPacketFields: Set<Int16>) -> State {
        var next = state
        func clear(_ registers: UInt16) {
            next.pointers &= ~registers
            next.context &= ~registers
        }
        switch op {
        case let .alu(kind, is64, dst, operand):
            let target = bit(dst)
            clear(target)
            guard is64 else { break }
            switch (kind, operand) {
            case (.mov, .register(let source)):
                if state.pointers & bit(source) != 0 { next.pointers |= target }
                if state.context & bit(source) != 0 { next.context |= target }
            case (.add, .immediate), (.sub, .immediate):
                if state.pointers & target != 0 { next.pointers |= target }
            case (.add, .register(let source)):
                // pointer + scalar is a pointer (pointer + pointer the kernel refuses).
                if (state.pointers & (target | bit(source))) != 0 { next.pointers |= target }
            default: break
            }
        case let .load(_, _, dst, src, offset):
            clear(bit(dst))
            if state.context & bit(src) != 0, contextPacketFields.contains(offset) { next.pointers |= bit(dst) }
        case let .loadImm64(dst, _, _):
            clear(bit(dst))
        case let .byteOrder(_, _, dst):
            clear(bit(dst))
        case let .atomic(_, _, _, src, _):
            clear(bit(src) | 1)
        case .packetLoad, .call:
            clear(0b11_1111)  // r0 to r5
        case .store, .jump, .goto, .exit:
            break
        }
        next.pointers |= framePointer
        return next
    }
}
