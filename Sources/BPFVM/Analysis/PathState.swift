/// One 8-byte slot of a stack frame, as the kernel's `bpf_stack_state` records it.
enum StackSlot: Hashable {
    /// Never written on this path (a privileged loader may read it: an unknown number).
    case invalid
    /// Numbers the analysis does not know.
    case misc
    /// Bytes a helper or a global function may have written: anything, never refused.
    case unknown
    /// Numbers, with the bytes known to be zero marked (bit i: byte i from the slot's start),
    /// as the kernel's STACK_ZERO.
    case zeroBytes(UInt8)
    /// A register stored whole (or a number stored in `size` bytes at the slot's start). Kept
    /// in a box of its own: a slot is then a word, and frames are copied and compared without
    /// moving 64 whole register states.
    indirect case spill(AbstractValue, size: Int)
}

/// A stack slot of one call frame.
struct StackPlace: Hashable {
    var frame: Int
    var slot: Int
}

/// A caller's registers kept while a static function runs.
struct ReturnFrame: Hashable {
    var returnTo: Int
    var saved: [AbstractValue]  // r6-r9
    /// Set when the function is a callback a helper runs: it goes back to the helper call.
    var callback: CallbackReturn?
}

/// What a callback's frame keeps for going back to the helper call that runs it, which runs
/// again from there (the kernel's return to the callsite).
struct CallbackReturn: Hashable {
    /// The caller's r0-r5 at the call.
    var arguments: [AbstractValue]
    /// The values the callback may return (the kernel's callback_ret_range).
    var returns: ClosedRange<Int64>
    /// References held when it was entered: what it acquires it must release.
    var references: [Int]
}

/// Everything the analysis knows at one instruction of one path.
struct PathState: Hashable {
    var registers: [AbstractValue]
    /// One stack per call frame, 64 slots of 8 bytes from the frame's top downwards
    /// (slot i covers offsets -8(i+1) ..< -8i).
    var stacks: [[StackSlot]]
    var returns: [ReturnFrame] = []
    /// References held: the allocating instruction of each.
    var references: [Int] = []
    var lockHeld = false
    /// Which lock is held: the map value's id and the lock's offset in it.
    var lockOwner: [Int] = []
    /// Inside `bpf_rcu_read_lock` … `bpf_rcu_read_unlock`.
    var rcuLocked = false
    /// `bpf_preempt_disable` calls not yet matched by `bpf_preempt_enable` (SectionRules).
    var preemptDisabled = 0
    /// The irq flags `bpf_local_irq_save` filled, oldest first: their stack places and saving
    /// calls; `bpf_local_irq_restore` takes the newest (SectionRules).
    var irqFlags: [IrqFlag] = []
    /// Resilient spin locks held, oldest first (ResLockRules).
    var resLocks: [ResLock] = []
    /// Number iterators alive on the stack: (frame, slot) → the reference the iterator holds
    /// (its `new` call + 1). Its slot holds `.unknown` while it lives; a store there ends it.
    var iterators: [StackPlace: Int] = [:]
    /// Iterators whose `next` returned NULL on this path (the kernel's BPF_ITER_STATE_DRAINED):
    /// their `next` returns NULL again, and a state with one drained covers none with it active.
    var drainedIterators: Set<StackPlace> = []
    /// Dynptrs made on the stack, by the place of their first 8 bytes (their second 8 bytes
    /// are the slot below); their slots hold `.unknown` while they live.
    var dynptrs: Set<StackPlace> = []
    /// The dynptrs among them that hold a reference, by place: the reference (DynptrReferences).
    var dynptrReferences: [StackPlace: Int] = [:]
    /// The dynptrs among them that are a packet's, whose slices end when the packet may move.
    var packetDynptrs: Set<StackPlace> = []
    /// Live slices of dynptrs, by the slice's id: where each came from (DynptrSlices).
    var dynptrSlices: [Int: DynptrSlices.Origin] = [:]
    /// Calls of an iterator's `next` on this path: the kernel's iterator depth, which tells
    /// an open-coded loop's states apart so that it is not taken for an infinite loop.
    var iteratorSteps = 0
    /// may_goto ways taken into a loop's body on this path (the kernel's may_goto_depth): a
    /// state seen at a may_goto with another depth that covers this one ends the loop there.
    var mayGotoDepth = 0
    /// Per frame, the times its callback ran on this path since its callback-running helper
    /// call was last passed (the kernel's callback_depth): bpf_loop runs it at most as many
    /// times as r1 may ask, and a state where it ran fewer times covers no state where it ran more.
    var callbackDepths = [0]

    static let slots = VMLimits.stackPerFrame / 8

    init(entry registers: [AbstractValue]) {
        self.registers = registers
        self.stacks = [Array(repeating: .invalid, count: Self.slots)]
    }

    var frame: Int { stacks.count - 1 }

    /// Whether the exploration of `self` covers every path from `other` (same instruction,
    /// `index`): then `other` needs no exploration of its own. Registers and slots no later
    /// instruction reads do not count, and numbers that decide nothing later match any number
    /// (`PruneFacts`); a caller's saved registers and frame count as at its return.
    /// `precise`, `preciseSlots`: the registers and slots of the current frame whose numbers must
    /// match, where precision marks say (`PathPrecision`); within those, where `PruneFacts` says
    /// they may decide something.
    /// `liveSlots`: the current frame's live slots, when pruning knows better than `facts`
    /// (`ReachedStackLiveness`).
    /// `callerMarks`: the callers' registers and slots (frame 0 first) whose numbers must match,
    /// within what may decide something; nil for all that may.
    func covers(_ other: PathState, facts: PruneFacts, at index: Int, precise marks: UInt16 = .max,
                preciseSlots slotMarks: UInt64 = .max, callerMarks: [(registers: UInt16, slots: UInt64)]? = nil,
                liveSlots: UInt64? = nil) -> Bool {
        // Cheap comparisons first; the registers before the collections.
        guard stacks.count == other.stacks.count, returns.count == other.returns.count,
              callbackDepths.count == other.callbackDepths.count, lockHeld == other.lockHeld,
              rcuLocked == other.rcuLocked, preemptDisabled == other.preemptDisabled else { return false }
        let (live, relevant) = facts.registers(at: index)
        guard Self.registersCover(registers, other.registers, from: 0, live: live, precise: relevant & marks) else { return false }
        guard lockOwner == other.lockOwner,
              rcuLocked == other.rcuLocked, preemptDisabled == other.preemptDisabled, irqFlags == other.irqFlags,
              resLocks == other.resLocks,
              iterators == other.iterators, drainedIterators == other.drainedIterators, dynptrs == other.dynptrs, dynptrReferences == other.dynptrReferences,
              packetDynptrs == other.packetDynptrs, dynptrSlices == other.dynptrSlices,
              references == other.references,
              !zip(callbackDepths, other.callbackDepths).contains(where: { $0 > $1 }) else { return false }
        for (f, (mine, theirs)) in zip(returns, other.returns).enumerated() {
            guard mine.returnTo == theirs.returnTo else { return false }
            let (live, precise) = facts.registers(at: mine.returnTo)
            let savedPrecise = callerMarks.map { f < $0.count ? precise & $0[f].registers : 0 } ?? precise
            guard Self.registersCover(mine.saved, theirs.saved, from: 6, live: live, precise: savedPrecise) else { return false }
            guard mine.callback?.returns == theirs.callback?.returns,
                  mine.callback?.references == theirs.callback?.references else { return false }
            if let back = mine.callback, let theirBack = theirs.callback {
                guard Self.registersCover(back.arguments, theirBack.arguments, from: 0, live: live, precise: precise) else { return false }
            }
        }
        // From the current frame down: a frame's slots count as at the return into it, unless a
        // frame above may reach it through a pointer before then.
        var reached = facts.reachesOtherFrames(at: index)
        var topLiveSlots: UInt64 = 0
        for f in stride(from: stacks.count - 1, through: 0, by: -1) {
            var slots: (live: UInt64, relevant: UInt64) = (.max, .max)
            if f == stacks.count - 1 {
                slots = facts.slots(at: index)
                if let liveSlots { slots.live &= liveSlots }
                slots.relevant &= slotMarks
                topLiveSlots = slots.live
            } else {
                let returnTo = returns[f].returnTo
                if !reached { slots = facts.slots(at: returnTo) }
                reached = reached || facts.reachesOtherFrames(at: returnTo)
                if let callerMarks { slots.relevant &= f < callerMarks.count ? callerMarks[f].slots : 0 }
            }
            let mine = stacks[f], theirs = other.stacks[f]
            // A frame neither path wrote since they parted is the same array.
            if Self.sameStorage(mine, theirs) { continue }
            var live = slots.live
            while live != 0 {
                let s = live.trailingZeroBitCount
                live &= live - 1
                guard mine[s].covers(theirs[s], precise: slots.relevant & (1 << UInt64(s)) != 0) else { return false }
            }
        }
        return PacketIDs.correspond(self, other, registers: live, slots: topLiveSlots)
    }

    private static func sameStorage(_ a: [StackSlot], _ b: [StackSlot]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress && x.count == y.count } }
    }

    /// Registers numbered from `first`: live ones cover theirs, numbers not `precise` match any.
    private static func registersCover(_ mine: [AbstractValue], _ theirs: [AbstractValue], from first: Int,
                                       live: UInt16, precise: UInt16) -> Bool {
        // Through buffer pointers: the values are compared in place, not copied out one by one.
        mine.withUnsafeBufferPointer { mine in
            theirs.withUnsafeBufferPointer { theirs in
                var remaining = live >> UInt16(first)
                while remaining != 0 {
                    let i = remaining.trailingZeroBitCount
                    remaining &= remaining - 1
                    guard i < mine.count, i < theirs.count else { break }
                    if precise & (1 << UInt16(first + i)) == 0, mine[i].isScalar, theirs[i].isScalar { continue }
                    guard mine[i].covers(theirs[i]) else { return false }
                }
                return true
            }
        }
    }

    /// Applies `change` to every register and spilled value of every frame.
    mutating func updateAll(_ change: (inout AbstractValue) -> Void) {
        for r in 0 ..< registers.count { change(&registers[r]) }
        for f in 0 ..< stacks.count {
            for s in 0 ..< Self.slots {
                // Written back only when changed: a frame nothing changed stays shared.
                if case .spill(let old, let size) = stacks[f][s] {
                    var value = old
                    change(&value)
                    if value != old { stacks[f][s] = .spill(value, size: size) }
                }
            }
        }
        for f in 0 ..< returns.count {
            for r in 0 ..< returns[f].saved.count { change(&returns[f].saved[r]) }
            if var back = returns[f].callback {
                for r in 0 ..< back.arguments.count { change(&back.arguments[r]) }
                returns[f].callback = back
            }
        }
    }
}


