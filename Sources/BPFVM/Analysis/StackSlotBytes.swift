/// A stack slot as the kernel's pruning sees it: byte by byte (`bpf_stack_state.slot_type`),
/// for a privileged loader (allow_uninit_stack).
///
/// Bytes are STACK_SPILL where a register or a number was stored at the slot's start
/// (`spilledBytes`), STACK_ZERO where known zero (`zeroedBytes`), and otherwise STACK_MISC or
/// STACK_INVALID, which a privileged loader treats alike: bytes a helper wrote (`unknown`) are
/// STACK_MISC too (check_stack_range_initialized).
extension StackSlot {
    /// Bit i: byte i from the slot's start holds part of a spilled register.
    var spilledBytes: UInt8 {
        if case .spill(_, let size) = self { return PathMemory.bytes(0, size) }
        return 0
    }

    /// Bit i: byte i from the slot's start is known zero without being part of a spill.
    var zeroedBytes: UInt8 {
        if case .zeroBytes(let mask) = self { return mask }
        return 0
    }

    /// The 64-bit number the kernel compares the slot as (its scalar_reg_for_stack): a number
    /// spilled whole, or an unknown number when no byte is spilled or known zero; nil otherwise.
    var wholeNumber: AbstractValue? {
        switch self {
        case .spill(let value, 8): return value.isScalar ? value : nil
        case .spill: return nil
        default: return spilledBytes | zeroedBytes == 0 ? .scalar(.unknown) : nil
        }
    }

    /// Whether an explored state with `self` in a live slot is safe for `other` (the kernel's
    /// stacksafe for one slot). `precise`: a spilled number's value must match too (its mark).
    ///
    /// Unknown or never-written bytes match anything; a number spilled whole matches a number
    /// spilled whole or unknown bytes; otherwise every spilled byte must be spilled in `other`
    /// (so a narrower spill matches a wider one) and every zero byte zero, and the spilled
    /// registers compare as registers.
    func covers(_ other: StackSlot, precise: Bool) -> Bool {
        let spilled = spilledBytes, zeroed = zeroedBytes
        if spilled | zeroed == 0 { return true }
        if case .spill(let mine, 8) = self, mine.isScalar, let theirs = other.wholeNumber {
            return !precise || mine.covers(theirs)
        }
        guard spilled & ~other.spilledBytes == 0, zeroed & ~other.zeroedBytes == 0 else { return false }
        guard case .spill(let mine, _) = self, case .spill(let theirs, _) = other else { return true }
        if !precise, mine.isScalar, theirs.isScalar { return true }
        return mine.covers(theirs)
    }
}
