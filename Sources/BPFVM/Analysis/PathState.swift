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
    /// A register stored whole (or a number stored in `size` bytes at the slot's start).
    case spill(AbstractValue, size: Int)

    func covers(_ other: StackSlot) -> Bool {
        switch (self, other) {
        case (.invalid, _), (.unknown, _), (.misc, .misc), (.misc, .invalid): return true
        case (.misc, .spill(let value, _)): return value.isScalar
        case (.misc, .zeroBytes): return true
        case let (.zeroBytes(a), .zeroBytes(b)): return a & ~b == 0
        case let (.spill(a, sizeA), .spill(b, sizeB)): return sizeA == sizeB && a.covers(b)
        default: return false
        }
    }
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
    /// Number iterators alive on the stack: (frame, slot) → the reference the iterator holds
    /// (its `new` call + 1). Its slot holds `.unknown` while it lives; a store there ends it.
    var iterators: [StackPlace: Int] = [:]
    /// Dynptrs made on the stack, by the place of their first 8 bytes (their second 8 bytes
    /// are the slot below); their slots hold `.unknown` while they live.
    var dynptrs: Set<StackPlace> = []
    /// Calls of an iterator's `next` on this path: the kernel's iterator depth, which tells
    /// an open-coded loop's states apart so that it is not taken for an infinite loop.
    var iteratorSteps = 0

    static let slots = VMLimits.stackPerFrame / 8

    init(entry registers: [AbstractValue]) {
        self.registers = registers
        self.stacks = [Array(repeating: .invalid, count: Self.slots)]
    }

    var frame: Int { stacks.count - 1 }

    /// Whether the exploration of `self` covers every path from `other` (same instruction):
    /// then `other` needs no exploration of its own. Registers dead at the instruction
    /// (`live` bits) do not count.
    /// Numbers in registers that decide nothing later (not in `precise`) match any number.
    func covers(_ other: PathState, live: UInt16, precise: UInt16) -> Bool {
        guard stacks.count == other.stacks.count, lockHeld == other.lockHeld, lockOwner == other.lockOwner,
              rcuLocked == other.rcuLocked, iterators == other.iterators, dynptrs == other.dynptrs,
              references == other.references, returns.count == other.returns.count else { return false }
        for r in 0 ..< 11 where live & (1 << UInt16(r)) != 0 {
            let mine = registers[r], theirs = other.registers[r]
            if precise & (1 << UInt16(r)) == 0, mine.isScalar, theirs.isScalar { continue }
            guard mine.covers(theirs) else { return false }
        }
        for (mine, theirs) in zip(returns, other.returns) {
            guard mine.returnTo == theirs.returnTo,
                  zip(mine.saved, theirs.saved).allSatisfy({ $0.covers($1) }) else { return false }
        }
        for (mine, theirs) in zip(stacks, other.stacks) {
            for (a, b) in zip(mine, theirs) where a != b {
                guard a.covers(b) else { return false }
            }
        }
        return true
    }

    /// Applies `change` to every register and spilled value of every frame.
    mutating func updateAll(_ change: (inout AbstractValue) -> Void) {
        for r in 0 ..< registers.count { change(&registers[r]) }
        for f in 0 ..< stacks.count {
            for s in 0 ..< Self.slots {
                if case .spill(var value, let size) = stacks[f][s] {
                    change(&value)
                    stacks[f][s] = .spill(value, size: size)
                }
            }
        }
        for f in 0 ..< returns.count {
            for r in 0 ..< returns[f].saved.count { change(&returns[f].saved[r]) }
        }
    }
}
