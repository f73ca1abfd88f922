import BPFCore

/// Which registers hold pointers before each instruction, and which hold plain numbers, as a
/// must-analysis: a register counts only when every path makes it one. Pointers: the frame
/// pointer, the context, copies of them and constant offsets from them, and the packet pointers
/// loaded from the context. Scalars: constants, 32-bit results, arithmetic on scalars, and the
/// context's number fields (when the program type's context is known). Checks built on it
/// refuse only what the kernel refuses too; the kernel refuses more, since it tracks every
/// type on every path.
enum PointerStates {
    /// Registers as bits: pointers, and those that are the context itself, unmoved.
    struct State: Equatable {
        var pointers: UInt16
        var context: UInt16
        var scalars: UInt16 = 0

        static let top = State(pointers: 0xffff, context: 0xffff, scalars: 0xffff)

        func meet(_ other: State) -> State {
            State(pointers: pointers & other.pointers, context: context & other.context,
                  scalars: scalars & other.scalars)
        }

        func isPointer(_ register: UInt8) -> Bool { pointers & PointerStates.bit(register) != 0 }
        func isContext(_ register: UInt8) -> Bool { context & PointerStates.bit(register) != 0 }
        func isScalar(_ register: UInt8) -> Bool { scalars & PointerStates.bit(register) != 0 }
    }

    /// What the analysis knows of the context: the fields whose loads give pointers, and
    /// whether the others are numbers (only when the program type's context rules are known).
    struct ContextFields {
        var packet: Set<Int16>
        var pointers: Set<Int16>
        var numbersKnown: Bool
    }

    static let framePointer: UInt16 = 1 << 10

    static func bit(_ register: UInt8) -> UInt16 { register < 16 ? 1 << UInt16(register) : 0 }

    /// Calls `check` with every reachable instruction of every function and the state before it.
    static func visit(_ program: VerifiedProgram, context: ContextFields,
                      _ check: (Operation, Int, State) throws(VMError) -> Void) throws(VMError) {
        for (index, start) in program.functionStarts.enumerated() {
            let end = program.end(ofFunction: index)
            // The entry function gets the context in r1; a subprogram's arguments are unknown.
            let entry = start == 0 ? State(pointers: framePointer | 1 << 1, context: 1 << 1)
                                   : State(pointers: framePointer, context: 0)
            try analyse(program, start: start, end: end, entry: entry, context: context, check)
        }
    }

    private static func analyse(_ program: VerifiedProgram, start: Int, end: Int, entry: State,
                                context: ContextFields,
                                _ check: (Operation, Int, State) throws(VMError) -> Void) throws(VMError) {
        var before = [State](repeating: .top, count: end - start)
        var visited = [Bool](repeating: false, count: end - start)
        before[0] = entry
        visited[0] = true
        var pending = [start]
        while let index = pending.popLast() {
            guard let op = program.operations[index] else { continue }
            let after = transfer(op, at: index, before[index - start], context: context)
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
        // Checked once every state is final: before that a state still holds facts that a path
        // not yet seen takes away, and a check would refuse what the kernel accepts.
        for index in start ..< end where visited[index - start] {
            guard let op = program.operations[index] else { continue }
            try check(op, index, before[index - start])
        }
    }

    private static func transfer(_ op: Operation, at index: Int, _ state: State, context: ContextFields) -> State {
        var next = state
        func clear(_ registers: UInt16) {
            next.pointers &= ~registers
            next.context &= ~registers
            next.scalars &= ~registers
        }
        switch op {
        case let .alu(kind, is64, dst, operand):
            let target = bit(dst)
            clear(target)
            guard is64 else {
                next.scalars |= target  // a 32-bit result is a number
                break
            }
            switch (kind, operand) {
            case (.mov, .register(let source)):
                if state.pointers & bit(source) != 0 { next.pointers |= target }
                if state.context & bit(source) != 0 { next.context |= target }
                if state.scalars & bit(source) != 0 { next.scalars |= target }
            case (.mov, .immediate), (.movsx, .immediate):
                next.scalars |= target
            case (.add, .immediate), (.sub, .immediate):
                if state.pointers & target != 0 { next.pointers |= target }
                if state.scalars & target != 0 { next.scalars |= target }
            case (.add, .register(let source)):
                // pointer + scalar is a pointer (pointer + pointer the kernel refuses).
                if (state.pointers & (target | bit(source))) != 0 { next.pointers |= target }
                if state.scalars & target != 0, state.scalars & bit(source) != 0 { next.scalars |= target }
            case (_, .immediate):
                if state.scalars & target != 0 { next.scalars |= target }
            case (_, .register(let source)):
                if state.scalars & target != 0, state.scalars & bit(source) != 0 { next.scalars |= target }
            }
        case let .load(_, _, dst, src, offset):
            clear(bit(dst))
            if state.context & bit(src) != 0 {
                if context.packet.contains(offset) {
                    next.pointers |= bit(dst)
                } else if context.numbersKnown, !context.pointers.contains(offset) {
                    next.scalars |= bit(dst)
                }
            }
        case let .loadImm64(dst, source, _):
            clear(bit(dst))
            if source == .none { next.scalars |= bit(dst) }
        case let .byteOrder(_, _, dst):
            let wasScalar = state.scalars & bit(dst) != 0
            clear(bit(dst))
            if wasScalar { next.scalars |= bit(dst) }
        case let .atomic(_, _, _, src, _):
            clear(bit(src) | 1)
        case .packetLoad, .call:
            clear(0b11_1111)  // r0 to r5
        case .goto, .mayGoto, .exit, .jump, .store:
            break
        }
        next.pointers |= framePointer
        next.scalars &= ~framePointer
        return next
    }
}
