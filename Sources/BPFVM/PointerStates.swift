import BPFCore

/// Which registers hold pointers before each instruction, as a must-analysis: a register counts
/// only when every path makes it one (the frame pointer, the context, copies of them and
/// constant offsets from them, and the packet pointers loaded from the context). Checks built
/// on it refuse only what the kernel refuses too; the kernel refuses more, since it tracks
/// every pointer on every path.
enum PointerStates {
    /// Registers as bits: pointers, and those that are the context itself, unmoved.
    struct State: Equatable {
        var pointers: UInt16
        var context: UInt16

        static let top = State(pointers: 0xffff, context: 0xffff)

        func meet(_ other: State) -> State {
            State(pointers: pointers & other.pointers, context: context & other.context)
        }

        func isPointer(_ register: UInt8) -> Bool { pointers & PointerStates.bit(register) != 0 }
        func isContext(_ register: UInt8) -> Bool { context & PointerStates.bit(register) != 0 }
    }

    static let framePointer: UInt16 = 1 << 10

    static func bit(_ register: UInt8) -> UInt16 { register < 16 ? 1 << UInt16(register) : 0 }

    /// Calls `check` with every reachable instruction of every function and the state before it.
    static func visit(_ program: VerifiedProgram, contextPacketFields: Set<Int16>,
                      _ check: (Operation, Int, State) throws(VMError) -> Void) throws(VMError) {
        for (index, start) in program.functionStarts.enumerated() {
            let end = program.end(ofFunction: index)
            // The entry function gets the context in r1; a subprogram's arguments are unknown.
            let entry = start == 0 ? State(pointers: framePointer | 1 << 1, context: 1 << 1)
                                   : State(pointers: framePointer, context: 0)
            try analyse(program, start: start, end: end, entry: entry, contextPacketFields: contextPacketFields, check)
        }
    }

    private static func analyse(_ program: VerifiedProgram, start: Int, end: Int, entry: State,
                                contextPacketFields: Set<Int16>,
                                _ check: (Operation, Int, State) throws(VMError) -> Void) throws(VMError) {
        var before = [State](repeating: .top, count: end - start)
        var visited = [Bool](repeating: false, count: end - start)
        before[0] = entry
        visited[0] = true
        var pending = [start]
        while let index = pending.popLast() {
            guard let op = program.operations[index] else { continue }
            let state = before[index - start]
            try check(op, index, state)
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
