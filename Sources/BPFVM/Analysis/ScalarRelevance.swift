import BPFCore

/// Which registers, before each instruction, hold a value that may still decide something: a
/// comparison, a helper or function argument, an address, a value stored to memory, or the
/// result a static function hands back. A number that decides nothing (a counter only returned
/// to the kernel, say) need not match for one state to cover another, as the kernel's
/// precision marks say; without this, every value such a counter takes would be a state of its
/// own and a program with many branches would never be explored to the end.
enum ScalarRelevance {
    static func compute(_ program: VerifiedProgram, returnsToKernel: Set<Int>) -> [UInt16] {
        compute(program, returnsToKernel: returnsToKernel, slots: nil)
    }

    /// The registers and the stack slots (`StackRelevance`) together: a number stored to a slot
    /// decides something only if the slot does, and a slot only if a load brings it back into a
    /// register that does. Both grow from nothing to the smallest answer that holds for each.
    static func computeWithSlots(_ program: VerifiedProgram, returnsToKernel: Set<Int>, stackPointers: [UInt16],
                                 frames: [FrameValues.State] = [], memoryReaders: [Int: UInt64] = [:])
        -> (registers: [UInt16], slots: [UInt64]) {
        var slots = [UInt64](repeating: 0, count: program.count)
        while true {
            let registers = compute(program, returnsToKernel: returnsToKernel, slots: slots)
            let next = StackRelevance.compute(program, relevantRegisters: registers, stackPointers: stackPointers,
                                              frames: frames, memoryReaders: memoryReaders)
            if next == slots { return (registers, slots) }
            slots = next
        }
    }

    private static func compute(_ program: VerifiedProgram, returnsToKernel: Set<Int>, slots: [UInt64]?) -> [UInt16] {
        BackwardFlow.solve(program) { index, op, after in
            let function = program.functionStarts[program.function(containing: index)]
            // A number stored in a slot that decides nothing decides nothing either.
            if let slots, case let .store(size, 10, _, offset) = op {
                var slotsAfter: UInt64 = 0
                for next in program.successors(of: index) where next < program.count { slotsAfter |= slots[next] }
                if let (slot, _) = PathMemory.slot(Int(offset), size: size.byteCount), slotsAfter & (1 << UInt64(slot)) == 0 {
                    return after
                }
            }
            return before(op, after: after, exitDecides: !returnsToKernel.contains(function))
        }
    }

    private static func bit(_ register: UInt8) -> UInt16 { register < 16 ? 1 << UInt16(register) : 0 }
    private static func bit(_ operand: Operand) -> UInt16 {
        if case .register(let r) = operand { return bit(r) }
        return 0
    }

    /// What decides something before `op`, given what does after it. `DecisiveRegisters` asks
    /// the narrower question: a value stored to memory, the old r0 of an atomic, or a number
    /// handed back decides nothing there.
    static func before(_ op: Operation, after: UInt16, exitDecides: Bool,
                       storedValuesDecide: Bool = true, atomicR0Decides: Bool = true) -> UInt16 {
        switch op {
        case let .alu(kind, _, dst, operand):
            let result = after & bit(dst)
            var before = after & ~bit(dst)
            if result != 0 {
                switch kind {
                case .mov, .movsx: before |= bit(operand)
                default: before |= bit(dst) | bit(operand)
                }
            }
            return before
        case .byteOrder:
            return after  // the register is its own operand
        case let .loadImm64(dst, _, _):
            return after & ~bit(dst)
        case let .load(_, _, dst, src, _):
            return (after & ~bit(dst)) | bit(src)
        case let .store(_, dst, value, _):
            return after | bit(dst) | (storedValuesDecide ? bit(value) : 0)
        case let .atomic(_, _, dst, src, _):
            let written = Verifier.writtenRegister(op).map(bit) ?? 0
            return (after & ~written) | bit(dst) | bit(src) | (atomicR0Decides ? 1 : 0)
        case let .packetLoad(_, index, _):
            return (after & ~0b11_1111) | bit(6) | (index.map(bit) ?? 0)
        case let .jump(_, _, dst, operand, _):
            return after | bit(dst) | bit(operand)
        case .call(.register(let r)):
            return (after & ~0b11_1111) | 0b11_1110 | bit(r)
        case .call:
            return (after & ~0b11_1111) | 0b11_1110
        case .exit:
            return exitDecides ? after | 1 : after
        case .goto, .mayGoto:
            return after
        }
    }
}
