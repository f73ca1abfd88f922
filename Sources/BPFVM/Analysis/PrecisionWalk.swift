import BPFCore

/// One instruction a path went through, kept so that the path can be walked back (the kernel's
/// jump history, here every instruction): the frame it ran in, and what of the state then the
/// walk cannot read from the instruction alone.
struct PathStep {
    var index: Int32
    var frame: UInt8
    var flags: UInt8
    /// A comparison's operands and the registers tied to them (same id), which it narrowed
    /// together: one of them precise makes them all precise (the kernel's linked registers).
    var linked: UInt16 = 0

    /// A comparison whose operands had copies tied to them (same id): it narrowed those too.
    static let linkedJump: UInt8 = 1
    /// Of those copies, some sat in a stack slot or a caller's saved register, which the walk
    /// does not name: any number the walk follows may depend on the comparison.
    static let linkedBeyondRegisters: UInt8 = 4
    /// A load, store or atomic through a stack pointer other than r10: the walk cannot tell
    /// which slot it touched.
    static let indirectStack: UInt8 = 2
    /// An exit from a callback a helper runs, back to the helper call (not a function's return).
    static let callbackExit: UInt8 = 8
    /// An access through a stack pointer whose frame and slot are known: `target` names them.
    static let knownTarget: UInt8 = 16
    /// With `knownTarget`: the frame (high byte) and slot (low byte) the access touched (the
    /// kernel's jump history records them for every stack access).
    var target: UInt16 = 0
}

/// Walking a path back from an instruction whose checks depended on some numbers, to find where
/// those numbers came from (the kernel's backtrack_insn): a register or slot is in the walk
/// while the value it holds at that point of the path still decided something. Registers and
/// slots are those of the frame the walk is in; a caller's are set aside while the walk is
/// inside a function it called. Each step answers false where it cannot follow: then every
/// number of every state kept on the path counts as precise.
struct PrecisionWalk {
    var registers: UInt16
    var slots: UInt64
    /// The callers' registers and slots, innermost last, while the walk is inside a callee. A
    /// callback's caller may have r0-r5 there: the helper call's arguments, as compared at the call.
    var callers: [(registers: UInt16, slots: UInt64)] = []
    /// Those arguments, out of a callback at its helper call: the caller's before the call too.
    private var arguments: UInt16 = 0

    init(registers: UInt16, slots: UInt64) {
        self.registers = registers & Self.numbered
        self.slots = slots
    }

    /// r0-r9: r10 only ever holds the frame pointer.
    static let numbered: UInt16 = 0x3ff
    private static let scratch: UInt16 = 0b11_1111
    private static let arguments: UInt16 = 0b11_1110

    var isEmpty: Bool {
        registers == 0 && slots == 0 && callers.allSatisfy { $0.registers == 0 && $0.slots == 0 }
    }

    private func has(_ r: UInt8) -> Bool { r < 10 && registers & (1 << UInt16(r)) != 0 }
    private mutating func add(_ r: UInt8) { if r < 10 { registers |= 1 << UInt16(r) } }
    private mutating func remove(_ r: UInt8) { if r < 16 { registers &= ~(1 << UInt16(r)) } }
    private mutating func add(_ operand: Operand) { if case .register(let r) = operand { add(r) } }

    /// From after `op` to before it, in the frame it ran in. `entersFrame`: a call that pushed
    /// a frame (a static function); a call that did not returns its result like a helper.
    mutating func stepBack(_ op: Operation, flags: UInt8, linked: UInt16 = 0, entersFrame: Bool,
                           frame: UInt8 = 0, target: UInt16 = 0) -> Bool {
        /// The walk's slots of `targetFrame` (the current one, or a caller's, made pending if the
        /// walk has none for it yet), for an access through a pointer.
        func withSlots(of targetFrame: UInt8, _ body: (inout UInt64) -> Void) -> Bool {
            if targetFrame == frame { body(&slots); return true }
            guard targetFrame < frame else { return false }
            let depth = Int(frame - targetFrame)
            if callers.count < depth {
                callers.insert(contentsOf: [(registers: UInt16, slots: UInt64)](repeating: (0, 0), count: depth - callers.count), at: 0)
            }
            body(&callers[callers.count - depth].slots)
            return true
        }
        let known = flags & PathStep.knownTarget != 0
        let targetFrame = UInt8(target >> 8), targetSlot = UInt64(target & 0xff)
        switch op {
        case let .alu(kind, _, dst, operand):
            guard has(dst) else { return true }
            switch kind {
            case .mov, .movsx: remove(dst)
            default: break
            }
            add(operand)
        case .byteOrder:
            break
        case let .loadImm64(dst, _, _):
            remove(dst)
        case let .load(size, _, dst, src, offset):
            guard has(dst) else { return true }
            remove(dst)
            if src == 10 {
                guard let (slot, _) = PathMemory.slot(Int(offset), size: size.byteCount) else { return false }
                slots |= 1 << UInt64(slot)
            } else if known {
                return withSlots(of: targetFrame) { $0 |= 1 << targetSlot }
            } else if flags & PathStep.indirectStack != 0 {
                return false
            }
        case let .store(size, dst, value, offset):
            if dst == 10 {
                guard let (slot, _) = PathMemory.slot(Int(offset), size: size.byteCount) else { return slots == 0 }
                guard slots & (1 << UInt64(slot)) != 0 else { return true }
                // A whole slot written holds only the stored value; a part keeps the rest.
                if size.byteCount == 8 { slots &= ~(1 << UInt64(slot)) }
                add(value)
            } else if known {
                var wanted = false
                guard withSlots(of: targetFrame, { slots in
                    wanted = slots & (1 << targetSlot) != 0
                    if wanted, size.byteCount == 8 { slots &= ~(1 << targetSlot) }
                }) else { return false }
                if wanted { add(value) }
            } else if flags & PathStep.indirectStack != 0 {
                return slots == 0 && callers.allSatisfy { $0.slots == 0 }
            }
        case let .atomic(kind, _, dst, src, _):
            let base = kind == .loadAcquire ? src : dst
            if base == 10 || flags & PathStep.indirectStack != 0, slots != 0 || !callers.isEmpty { return false }
            // Elsewhere the fetched register stays in the walk, to where its operand came from, as
            // the kernel's backtrack_insn leaves it (what it fetched from a map holds no number).
        case .packetLoad:
            registers &= ~Self.scratch
        case .call(.local):
            // Into a static function: the frame change is `cross`'s; a global function's result.
            if !entersFrame { registers &= ~Self.scratch }
        case .call:
            // What the call set; a callback's helper call keeps the arguments wanted before it.
            registers = registers & ~Self.scratch | arguments
            arguments = 0
        case let .jump(_, _, dst, operand, _):
            // Registers tied to the operands (same id) were narrowed together: one precise makes
            // all precise, before and after the operands' own rule (the kernel syncs them both
            // ways round backtrack_insn).
            func syncLinked() {
                if flags & PathStep.linkedBeyondRegisters != 0, registers != 0 || slots != 0 {
                    add(dst)
                    add(operand)
                    registers |= linked & Self.numbered
                } else if flags & PathStep.linkedJump != 0, registers & linked != 0 {
                    registers |= linked & Self.numbered
                }
            }
            syncLinked()
            // Compared with each other, two registers narrow each other: both or neither.
            if case .register(let src) = operand, has(dst) || has(src) {
                add(dst)
                add(src)
            }
            syncLinked()
        case .exit, .goto, .mayGoto:
            break
        }
        return true
    }

    /// Between two steps of the path, `older` then `newer`, where their frames differ: a call
    /// into a static function or a return from one, or a helper's callback entered or left
    /// (bpf_loop and the others that run it during the call). Anything else is not followed.
    mutating func cross(from older: (op: Operation, frame: UInt8, flags: UInt8), to newer: (op: Operation, frame: UInt8)) -> Bool {
        if newer.frame == older.frame { return true }
        if newer.frame == older.frame &+ 1, Self.runsCallback(older.op) {
            // Back out of a callback to the helper call that ran it: its r1-r5 are the helper's
            // doing, not the caller's registers, so they are dropped (the kernel's backtrack_insn
            // at a callback's callsite); its own slots cannot be followed out.
            guard registers & ~Self.arguments == 0, slots == 0 else { return false }
            let caller = callers.popLast() ?? (registers: 0, slots: 0)
            registers = caller.registers & ~Self.scratch
            arguments = caller.registers & Self.scratch
            slots = caller.slots
            return true
        }
        if older.frame == newer.frame &+ 1, older.flags & PathStep.callbackExit != 0 {
            // Back into a callback from the helper call it returned to: its r0 is not the
            // helper's result and the caller's r1-r5 are the helper's arguments; r6-r9 and the
            // caller's slots wait.
            guard case .exit = older.op, Self.runsCallback(newer.op) else { return false }
            callers.append((registers & ~Self.scratch, slots))
            registers = 0
            slots = 0
            return true
        }
        if newer.frame == older.frame &+ 1 {
            // Back out of a callee, to its call: its arguments are the caller's r1-r5.
            guard case .call(.local) = older.op, registers & ~Self.arguments == 0, slots == 0 else { return false }
            let caller = callers.popLast() ?? (registers: 0, slots: 0)
            registers = caller.registers | registers
            slots = caller.slots
            return true
        }
        if older.frame == newer.frame &+ 1 {
            // Back into a callee from after its return: it made r0; r6-r9 and the caller's slots wait.
            switch older.op {
            case .exit, .packetLoad, .call(.helper(VMLimits.tailCallHelper)): break
            default: return false
            }
            callers.append((registers & ~Self.scratch, slots))
            registers &= 1
            slots = 0
            return true
        }
        return false
    }

    private static func runsCallback(_ op: Operation) -> Bool {
        if case .call(.helper(let id)) = op { return PathCallbacks.runsDuringCall.contains(id) }
        return false
    }
}
