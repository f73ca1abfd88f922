import BPFCore

/// Arithmetic with a pointer operand, as the kernel's `adjust_ptr_min_max_vals` allows it:
/// adding or subtracting a number moves the pointer (a constant its offset, a variable its
/// variable part); what the kernel refuses is refused; anything else is not followed.
enum PathPointerArithmetic {
    /// Farther than this from where it started, a pointer is not followed (the kernel refuses
    /// offsets past 1 << 29).
    static let maxOffset = 1 << 29

    static func result(_ kind: ALUKind, is64: Bool, dst: UInt8, _ d: AbstractValue, _ s: AbstractValue,
                       at index: Int) throws(VMError) -> AbstractValue {
        if d.kind == .unknown || s.kind == .unknown || d.kind == .notInit || s.kind == .notInit { return .unknown }
        let dIsPointer = !d.isScalar, sIsPointer = !s.isScalar
        if !is64 {
            // A privileged loader may take a pointer into a 32-bit sub or neg: a number comes out.
            if kind == .sub || kind == .neg { return .scalar(.upTo(UInt64(UInt32.max))) }
            throw VMError(instruction: index, "R\(dst) 32-bit pointer arithmetic prohibited", errno: .EACCES)
        }
        switch (kind, dIsPointer, sIsPointer) {
        case (.add, true, false):
            return try moved(d, by: s.range, negate: false, dst: dst, at: index)
        case (.sub, true, false):
            return try moved(d, by: s.range, negate: true, dst: dst, at: index)
        case (.add, false, true):
            return try moved(s, by: d.range, negate: false, dst: dst, at: index)
        case (.sub, true, true):
            // The distance between two pointers into the same object is a number.
            return d.kind == s.kind ? .scalar(.unknown) : .unknown
        default:
            return .unknown
        }
    }

    private static func moved(_ pointer: AbstractValue, by step: ScalarRange, negate: Bool, dst: UInt8,
                              at index: Int) throws(VMError) -> AbstractValue {
        try refuseProhibited(pointer, step: step, dst: dst, at: index)
        var result = pointer
        if let constant = step.constant {
            let amount = Int64(bitPattern: constant)
            guard amount > -Int64(maxOffset), amount < Int64(maxOffset) else { return .unknown }
            let offset = pointer.offset + Int(negate ? -amount : amount)
            guard abs(offset) < maxOffset else { return .unknown }
            result.offset = offset
            return result
        }
        guard !negate else { return .unknown }
        switch pointer.kind {
        case .packet, .packetMeta:
            // Something variable was added: a new family, nothing of it proven yet.
            result.range = pointer.range.adding(step)
            result.id = index + 1
            result.packetRange = 0
        case .mapValue, .memory:
            result.range = pointer.range.adding(step)
        default:
            return .unknown
        }
        return result
    }

    /// The pointer types the kernel allows no arithmetic on.
    private static func refuseProhibited(_ pointer: AbstractValue, step: ScalarRange, dst: UInt8,
                                         at index: Int) throws(VMError) {
        if step.constant == 0 { return }
        if pointer.isNullable {
            throw VMError(instruction: index, "R\(dst) pointer arithmetic on \(pointer.typeName) prohibited, null-check it first",
                          errno: .EACCES)
        }
        switch pointer.kind {
        case .packetEnd, .socket, .map:
            throw VMError(instruction: index, "R\(dst) pointer arithmetic on \(pointer.typeName) prohibited", errno: .EACCES)
        default:
            return
        }
    }
}
