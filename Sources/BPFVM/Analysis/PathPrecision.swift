import BPFCore

/// Precision marks, as the kernel's mark_chain_precision keeps them: a number in a kept state
/// is precise when some path from that state had a check that depended on it (an address, a
/// helper's argument, a comparison that went one way only, ...). A state then covers another
/// whatever numbers the other holds where it holds imprecise ones; `ScalarRelevance` stays the
/// upper bound (a number it says decides nothing never counts). A state compares with these
/// marks only once every path from it was explored, when they are complete.
extension PathExplorer {
    /// What the checks of `op`, about to run on `state`, depend on besides comparisons (which
    /// `jumpNeeds` answers once their outcome is known): registers and slots of the current
    /// frame; nil when they may depend on numbers the walk cannot follow.
    func precisionNeeds(_ op: Operation, at index: Int, _ state: PathState) -> (registers: UInt16, slots: UInt64)? {
        func scalar(_ r: UInt8) -> UInt16 { r < 10 && state.registers[Int(r)].isScalar ? 1 << UInt16(r) : 0 }
        // A helper's arguments are those its prototype declares, and of those the ones whose
        // numbers its checks look at; other calls may look at any of r1-r5.
        let arguments = (scalar(1) | scalar(2) | scalar(3) | scalar(4) | scalar(5)) & (helperNumbersByCall[index] ?? .max)
        switch op {
        case .alu(.mov, _, _, _), .alu(.movsx, _, _, _):
            return (0, 0)
        case let .alu(_, _, dst, .register(src)):
            // A number added to a pointer (or a pointer to a number) moves what it points at.
            let d = state.registers[Int(dst)], s = state.registers[Int(src)]
            return d.isScalar == s.isScalar ? (0, 0) : (scalar(dst) | scalar(src), 0)
        case let .load(_, _, _, src, _):
            return (scalar(src), 0)
        case let .store(_, dst, _, _):
            // What a store checks is where it writes, never the number it writes: one kept on
            // the stack decides something only when loaded back (the walk follows it there).
            return (scalar(dst), 0)
        case let .atomic(_, _, dst, _, _):
            // Like a store, an atomic checks where it writes; its operand and cmpxchg's r0 decide
            // nothing (the kernel's check_atomic marks neither).
            return (scalar(dst), 0)
        case let .packetLoad(_, register, _):
            return (register.map(scalar) ?? 0, 0)
        case .call(.helper(1)):
            // An array's lookup with a constant key inside it gives no NULL: the key's slot.
            guard case .map(let shape) = state.registers[1].kind, shape.lookupGivesValue, shape.mayElideNull else {
                return (arguments, 0)
            }
            let key = state.registers[2]
            guard case .stack(let frame) = key.kind else { return (arguments, 0) }
            guard frame == state.frame, key.range.constant == 0,
                  let (slot, _) = PathMemory.slot(key.offset, size: shape.keySize) else { return nil }
            return (arguments, 1 << UInt64(slot))
        case .call(.helper(let id)):
            // The sizes a helper the analysis does not model takes, the slots the other helpers
            // of `readsSlots` look at.
            let numbers = arguments | (PathHelpers.modeled.contains(id) ? 0 : unmodeledSizes(state))
            // A callback run during the call reads the caller's stack on the path itself, where
            // its own checks say what they depend on; the call looks at none of it.
            guard StackLiveness.readsSlots(id), !PathCallbacks.runsDuringCall.contains(id) else { return (numbers, 0) }
            guard readsOnlyOwnFrame(state) else { return nil }
            return (numbers, numberSlots(state))
        case .call(.kfunc):
            guard readsOnlyOwnFrame(state) else { return nil }
            return (arguments, numberSlots(state))
        case .call(.register(let r)):
            return (arguments | scalar(r), 0)
        case .call(.local):
            return (arguments, 0)
        case .exit:
            let function = program.functionStarts[program.function(containing: index)]
            return (returnsToKernel.contains(function) ? 0 : scalar(0), 0)
        default:
            return (0, 0)
        }
    }

    /// The argument registers of each helper call whose numbers its checks look at: an
    /// argument the prototype takes as anything (ARG_ANYTHING) decides nothing, as in the kernel,
    /// but for tail calls (and, on the path, after a stack pointer given to a helper the analysis
    /// does not model, `unmodeledSizes`); every other kind does (sizes, NULL for a pointer,
    /// bpf_loop's count).
    static func helperNumbersByCall(_ arguments: [Int: UInt16], _ program: VerifiedProgram,
                                    _ options: VerifierOptions) -> [Int: UInt16] {
        var numbers: [Int: UInt16] = [:]
        for (index, read) in arguments {
            guard case .call(.helper(let id))? = program.operations[index] else { continue }
            guard id != VMLimits.tailCallHelper else {
                numbers[index] = read
                continue
            }
            var mask: UInt16 = 0
            for (i, argument) in HelperPrototypeTable.arguments(id, variant: options.helperPrototypes).prefix(5).enumerated()
            where argument.kind != .anything {
                mask |= 1 << UInt16(i + 1)
            }
            numbers[index] = mask & read
        }
        return numbers
    }

    /// A helper the analysis does not model takes a small number after a stack pointer as the
    /// bytes it writes there (`PathHelpers.clobberStackArguments`): that number decides which
    /// slots it changes.
    private func unmodeledSizes(_ state: PathState) -> UInt16 {
        var sizes: UInt16 = 0
        for r in 1 ..< 5 {
            guard case .stack = state.registers[r].kind, state.registers[r + 1].isScalar else { continue }
            sizes |= 1 << UInt16(r + 1)
        }
        return sizes
    }

    /// Whether a call's stack pointer arguments all point into the current frame: then the
    /// slots it may read are the frame's own, which the walk follows; a pointer into a caller's
    /// stack (a callee handing on what it was given) reaches slots it does not.
    private func readsOnlyOwnFrame(_ state: PathState) -> Bool {
        (1 ... 5).allSatisfy { r in
            guard case .stack(let frame) = state.registers[r].kind else { return true }
            return frame == state.frame
        }
    }

    /// The slots of the current frame that hold a known number: one a register put there, or
    /// zeros.
    private func numberSlots(_ state: PathState) -> UInt64 {
        var slots: UInt64 = 0
        for (s, slot) in state.stacks[state.frame].enumerated() where Self.holdsKnownNumber(slot) {
            slots |= 1 << UInt64(s)
        }
        return slots
    }

    /// Whether a load from the slot may give a number it knows something of (not `misc`).
    private static func holdsKnownNumber(_ slot: StackSlot) -> Bool {
        switch slot {
        case .spill(let value, _): return value.isScalar
        case .zeroBytes: return true
        case .invalid, .misc, .unknown: return false
        }
    }

    /// A comparison that went one way only depended on its numbers; one of two numbers that
    /// went both ways did not (each way was explored), one with a pointer may have.
    static func jumpNeeds(dst: UInt8, _ operand: Operand, before state: PathState, oneWay: Bool) -> UInt16 {
        func scalar(_ r: UInt8) -> UInt16 { r < 10 && state.registers[Int(r)].isScalar ? 1 << UInt16(r) : 0 }
        var source: UInt16 = 0
        var bothNumbers = state.registers[Int(dst)].isScalar
        if case .register(let r) = operand {
            source = scalar(r)
            bothNumbers = bothNumbers && state.registers[Int(r)].isScalar
        }
        return oneWay || !bothNumbers ? scalar(dst) | source : 0
    }

    /// The step an instruction makes on the path, with what the walk back needs of its state.
    static func step(_ op: Operation, at index: Int, _ state: PathState) -> PathStep {
        var flags: UInt8 = 0
        var linked: UInt16 = 0
        func viaStackPointer(_ base: UInt8) -> Bool {
            guard base != 10, base < 11, case .stack = state.registers[Int(base)].kind else { return false }
            return true
        }
        var target: UInt16 = 0
        // The frame and slot a stack pointer of constant offset reaches with this access.
        func knownTarget(_ base: UInt8, _ offset: Int16, _ size: Int) -> UInt16? {
            let pointer = state.registers[Int(base)]
            guard case .stack(let frame) = pointer.kind, frame <= state.frame, frame < 256, pointer.range.constant == 0,
                  let (slot, _) = PathMemory.slot(pointer.offset + Int(offset), size: size) else { return nil }
            return UInt16(frame) << 8 | UInt16(slot)
        }
        switch op {
        case let .jump(_, _, dst, operand, _):
            var ids: [Int] = []
            if state.registers[Int(dst)].isScalar, state.registers[Int(dst)].id != 0 { ids.append(state.registers[Int(dst)].id) }
            if case .register(let r) = operand, state.registers[Int(r)].isScalar, state.registers[Int(r)].id != 0 {
                ids.append(state.registers[Int(r)].id)
            }
            guard !ids.isEmpty else { break }
            func tied(_ value: AbstractValue) -> Bool { value.isScalar && ids.contains(value.id) }
            for (r, value) in state.registers.prefix(10).enumerated() where tied(value) { linked |= 1 << UInt16(r) }
            let spilled = state.stacks.contains { frame in
                frame.contains { slot in
                    if case .spill(let value, _) = slot { return tied(value) }
                    return false
                }
            }
            let saved = state.returns.contains { $0.saved.contains(where: tied) }
            if spilled || saved {
                flags |= PathStep.linkedJump | PathStep.linkedBeyondRegisters
            } else if linked.nonzeroBitCount > 1 {
                flags |= PathStep.linkedJump
            }
        case let .load(size, _, _, src, offset):
            if viaStackPointer(src) {
                flags |= PathStep.indirectStack
                if let known = knownTarget(src, offset, size.byteCount) { flags |= PathStep.knownTarget; target = known }
            }
        case let .store(size, dst, _, offset):
            if viaStackPointer(dst) {
                flags |= PathStep.indirectStack
                if let known = knownTarget(dst, offset, size.byteCount) { flags |= PathStep.knownTarget; target = known }
            }
        case let .atomic(kind, _, dst, src, _):
            if viaStackPointer(kind == .loadAcquire ? src : dst) { flags |= PathStep.indirectStack }
        case .exit:
            if state.returns.last?.callback != nil { flags |= PathStep.callbackExit }
        default:
            break
        }
        var step = PathStep(index: Int32(index), frame: UInt8(truncatingIfNeeded: state.frame), flags: flags, linked: linked)
        step.target = target
        return step
    }

    /// Marks precise, in the states kept on the path of `branch`, where the numbers `registers`
    /// and `slots` of its current frame came from (skipping its last `skipping` steps, already
    /// run). Where the walk cannot follow, every state kept on the path counts whole.
    func markPrecise(registers: UInt16, slots: UInt64, on branch: Branch, skipping: Int = 0,
                     callers: [(registers: UInt16, slots: UInt64)] = []) {
        var walk = PrecisionWalk(registers: registers, slots: slots)
        walk.callers = callers
        if walk.isEmpty { return }
        var steps = branch.walked.dropLast(skipping)
        var node = branch.trail
        // Where the walk starts: the path's next instruction (or the first step set aside), so
        // that a frame left just before it (a callee's exit, a callback's) is crossed too.
        var newer: PathStep? = skipping > 0 && branch.walked.count >= skipping
            ? branch.walked[branch.walked.count - skipping]
            : PathStep(index: Int32(branch.index), frame: UInt8(truncatingIfNeeded: branch.state.frame), flags: 0)
        while true {
            for step in steps.reversed() {
                guard let op = program.operations[Int(step.index)] else { return Self.markAllPrecise(from: node) }
                if let newer {
                    let later = program.operations[Int(newer.index)] ?? .exit
                    guard walk.cross(from: (op, step.frame, step.flags), to: (later, newer.frame)) else { return Self.markAllPrecise(from: node) }
                }
                let entersFrame = newer.map { $0.frame != step.frame } ?? false
                guard walk.stepBack(op, flags: step.flags, linked: step.linked, entersFrame: entersFrame,
                                    frame: step.frame, target: step.target) else { return Self.markAllPrecise(from: node) }
                newer = step
                if walk.isEmpty { return }
            }
            guard let current = node else { return }
            if current.allPrecise { return }
            mark(&walk, at: current)
            if walk.isEmpty { return }
            steps = current.steps[...]
            node = current.parent
        }
    }

    /// At a kept state: its numbers in the walk become precise; those that were already are
    /// followed no further (their origins were marked then), nor what holds no number there.
    private func mark(_ walk: inout PrecisionWalk, at node: Trail) {
        let state = node.state
        var keep: UInt16 = 0
        var remaining = walk.registers
        while remaining != 0 {
            let r = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            guard r < state.registers.count, state.registers[r].isScalar else { continue }
            let bit: UInt16 = 1 << UInt16(r)
            if node.precise & bit == 0 {
                node.precise |= bit
                keep |= bit
            }
        }
        walk.registers = keep
        var keepSlots: UInt64 = 0
        var remainingSlots = walk.slots
        while remainingSlots != 0 {
            let s = remainingSlots.trailingZeroBitCount
            remainingSlots &= remainingSlots - 1
            guard Self.holdsKnownNumber(state.stacks[state.frame][s]) else { continue }
            let bit: UInt64 = 1 << UInt64(s)
            if node.preciseSlots & bit == 0 {
                node.preciseSlots |= bit
                keepSlots |= bit
            }
        }
        walk.slots = keepSlots
        // The callers' numbers still wanted: the innermost caller is the frame below this one.
        let count = walk.callers.count
        for i in 0 ..< count {
            let f = state.frame - (count - i)
            guard f >= 0, f < state.stacks.count else { continue }
            if node.callerMarks.count < state.frame {
                node.callerMarks += [(registers: UInt16, slots: UInt64)](repeating: (0, 0), count: state.frame - node.callerMarks.count)
            }
            let wanted = walk.callers[i]
            var keepCaller: (registers: UInt16, slots: UInt64) = (0, 0)
            var regs = wanted.registers
            while regs != 0 {
                let r = regs.trailingZeroBitCount
                regs &= regs - 1
                // Only r6-r9 live on in a caller (`ReturnFrame.saved`); the rest is the walk's.
                guard r >= 6, r <= 9, f < state.returns.count, r - 6 < state.returns[f].saved.count,
                      state.returns[f].saved[r - 6].isScalar else { keepCaller.registers |= 1 << UInt16(r); continue }
                let bit: UInt16 = 1 << UInt16(r)
                if node.callerMarks[f].registers & bit == 0 {
                    node.callerMarks[f].registers |= bit
                    keepCaller.registers |= bit
                }
            }
            var wantedSlots = wanted.slots
            while wantedSlots != 0 {
                let s = wantedSlots.trailingZeroBitCount
                wantedSlots &= wantedSlots - 1
                guard s < state.stacks[f].count, Self.holdsKnownNumber(state.stacks[f][s]) else { continue }
                let bit: UInt64 = 1 << UInt64(s)
                if node.callerMarks[f].slots & bit == 0 {
                    node.callerMarks[f].slots |= bit
                    keepCaller.slots |= bit
                }
            }
            walk.callers[i] = keepCaller
        }
    }

    /// The walk could not follow: every number of the states kept on the path counts.
    static func markAllPrecise(from node: Trail?) {
        var node = node
        while let current = node, !current.allPrecise {
            current.allPrecise = true
            node = current.parent
        }
    }

    /// A path ended because `old` covers it: the numbers `old`'s cover depended on (`precise`
    /// registers, and the slots compared) hold on this path too, so where they came from on this
    /// path is precise as well (the kernel's propagate_precision).
    func propagatePrecision(_ precise: UInt16, slots preciseSlots: UInt64 = .max,
                            callers callerMarks: [(registers: UInt16, slots: UInt64)]? = nil, to branch: Branch) {
        let state = branch.state
        let index = branch.index
        guard let callers = callerNumbers(state, at: index, marks: callerMarks) else { return Self.markAllPrecise(from: branch.trail) }
        let (live, _) = facts.registers(at: index)
        var registers: UInt16 = 0
        for r in 0 ..< 10 where precise & live & (1 << UInt16(r)) != 0 && state.registers[r].isScalar {
            registers |= 1 << UInt16(r)
        }
        let slotFacts = facts.slots(at: index)
        let slots = numberSlots(state) & slotFacts.live & slotFacts.relevant & preciseSlots
        markPrecise(registers: registers, slots: slots, on: branch, callers: callers)
    }

    /// The callers' numbers a cover at `index` compared (`PathState.covers`: their saved r6-r9
    /// and the slots that hold numbers, as at the return into them, every slot of a frame one
    /// above may reach; within `marks` when the cover had them), outermost first; nil when it
    /// compared a callback's arguments (the caller's r0-r5 at the helper call), which the walk
    /// cannot follow.
    private func callerNumbers(_ state: PathState, at index: Int,
                               marks: [(registers: UInt16, slots: UInt64)]?) -> [(registers: UInt16, slots: UInt64)]? {
        guard state.frame > 0 else { return [] }
        var callers = [(registers: UInt16, slots: UInt64)](repeating: (0, 0), count: state.frame)
        var reached = facts.reachesOtherFrames(at: index)
        for f in stride(from: state.frame - 1, through: 0, by: -1) {
            guard f < state.returns.count, f < state.stacks.count else { return nil }
            let back = state.returns[f]
            let (live, relevant) = facts.registers(at: back.returnTo)
            let compared = live & relevant
            var registers: UInt16 = 0
            if let callback = back.callback {
                // Compared by what may decide something, whatever the marks: the walk takes them
                // back to the helper call (`PrecisionWalk.arguments`).
                for r in 0 ..< min(6, callback.arguments.count)
                where compared & (1 << UInt16(r)) != 0 && callback.arguments[r].isScalar { registers |= 1 << UInt16(r) }
            }
            for (i, value) in back.saved.enumerated() where i < 4 && value.isScalar && compared & (1 << UInt16(6 + i)) != 0 {
                registers |= 1 << UInt16(6 + i)
            }
            var slots: (live: UInt64, relevant: UInt64) = (.max, .max)
            if !reached { slots = facts.slots(at: back.returnTo) }
            reached = reached || facts.reachesOtherFrames(at: back.returnTo)
            var numbers: UInt64 = 0
            for (s, slot) in state.stacks[f].enumerated() where s < 64 && Self.holdsKnownNumber(slot) { numbers |= 1 << UInt64(s) }
            callers[f] = (registers, numbers & slots.live & slots.relevant)
            if let marks {
                let marked = f < marks.count ? marks[f] : (registers: 0, slots: 0)
                callers[f].registers &= marked.registers | 0b11_1111
                callers[f].slots &= marked.slots
            }
        }
        return callers
    }
}
