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
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, "R\(dst) \(reason)", errno: .EACCES) }
        let dIsPointer = !d.isScalar, sIsPointer = !s.isScalar
        if !is64 {
            // A privileged loader may take a pointer into a 32-bit sub or neg: a number comes out.
            if kind == .sub || kind == .neg { return .scalar(.upTo(UInt64(UInt32.max))) }
            throw refuse("32-bit pointer arithmetic prohibited")
        }
        if kind == .neg { return .scalar(.unknown) }
        if dIsPointer, sIsPointer {
            // The distance between two pointers is a number; nothing else combines two pointers.
            guard kind == .sub else { throw refuse("pointer \(symbol(kind)) pointer prohibited") }
            return .scalar(.unknown)
        }
        let pointer = dIsPointer ? d : s
        let step = dIsPointer ? s.range : d.range
        try refuseProhibited(pointer, kind: kind, step: step, dst: dst, at: index)
        // The number is checked before the operator: `scalar -= pointer` with a scalar
        // unbounded below is EINVAL for the number, as in adjust_ptr_min_max_vals.
        try refuseInsane(pointer, step: step, at: index)
        if kind == .sub, !dIsPointer { throw refuse("tried to subtract pointer from scalar") }
        switch kind {
        case .add:
            return try sane(moved(pointer, by: step, negate: false, at: index), at: index)
        case .sub:
            if case .stack = pointer.kind { throw refuse("subtraction from stack pointer prohibited") }
            return try sane(moved(pointer, by: step, negate: true, at: index), at: index)
        case .and, .or, .xor:
            throw refuse("bitwise operator \(symbol(kind)) on pointer prohibited")
        default:
            throw refuse("pointer arithmetic with \(symbol(kind)) operator prohibited")
        }
    }

    /// The operator as the kernel's log writes it.
    private static func symbol(_ kind: ALUKind) -> String {
        switch kind {
        case .add: "+="
        case .sub: "-="
        case .mul: "*="
        case .div, .sdiv: "/="
        case .or: "|="
        case .and: "&="
        case .lsh: "<<="
        case .rsh: ">>="
        case .neg: "neg"
        case .mod, .smod: "%="
        case .xor: "^="
        case .mov, .movsx: "="
        case .arsh: "s>>="
        }
    }

    private static func moved(_ pointer: AbstractValue, by step: ScalarRange, negate: Bool,
                              at index: Int) -> AbstractValue {
        var result = pointer
        if let constant = step.constant {
            let amount = Int64(bitPattern: constant)
            guard amount > -Int64(maxOffset), amount < Int64(maxOffset) else { return .unknown }
            // Two steps under the limit may pass it: the next step through it is refused.
            result.offset = pointer.offset + Int(negate ? -amount : amount)
            return result
        }
        let moved = negate ? pointer.range.subtracting(step) : pointer.range.adding(step)
        switch pointer.kind {
        case .packet, .packetMeta:
            // Something variable was added: a new family, nothing of it proven yet.
            result.range = moved
            result.id = index + 1
            result.packetRange = 0
        case .mapValue, .memory, .context, .stack, .btf, .mapKey, .constDynptr:
            // A moved context (or kernel dynptr) pointer is followed so that its use is refused.
            result.range = moved
        default:
            return .unknown
        }
        return result
    }

    /// The moved pointer's own offset must stay under 2^29 as well (checked after the move).
    private static func sane(_ pointer: AbstractValue, at index: Int) throws(VMError) -> AbstractValue {
        guard pointer.offset >= maxOffset || pointer.offset <= -maxOffset else { return pointer }
        throw VMError(instruction: index, "\(pointer.typeName) pointer offset \(pointer.offset) is not allowed")
    }

    /// A number too large, or unbounded below, to move a pointer by (the kernel's
    /// check_reg_sane_offset, EINVAL).
    private static func refuseInsane(_ pointer: AbstractValue, step: ScalarRange, at index: Int) throws(VMError) {
        let limit = Int64(maxOffset)
        if pointer.offset >= maxOffset || pointer.offset <= -maxOffset {
            throw VMError(instruction: index, "\(pointer.typeName) pointer offset \(pointer.offset) is not allowed")
        }
        if let constant = step.constant {
            let value = Int64(bitPattern: constant)
            guard value >= limit || value <= -limit else { return }
            throw VMError(instruction: index, "math between \(pointer.typeName) pointer and \(value) is not allowed")
        }
        if step.smin == .min {
            throw VMError(instruction: index,
                          "math between \(pointer.typeName) pointer and register with unbounded min value is not allowed")
        }
        if step.smin >= limit || step.smin <= -limit {
            throw VMError(instruction: index, "value \(step.smin) makes \(pointer.typeName) pointer be out of bounds")
        }
    }

    /// The pointer types the kernel allows no arithmetic on (a map only `+= 0`).
    private static func refuseProhibited(_ pointer: AbstractValue, kind: ALUKind, step: ScalarRange, dst: UInt8,
                                         at index: Int) throws(VMError) {
        if pointer.isNullable {
            throw VMError(instruction: index, "R\(dst) pointer arithmetic on \(pointer.typeName) prohibited, null-check it first",
                          errno: .EACCES)
        }
        switch pointer.kind {
        case .map where kind == .add && step.constant == 0, .innerMap where kind == .add && step.constant == 0:
            return
        case .packetEnd, .socket, .map, .innerMap:
            throw VMError(instruction: index, "R\(dst) pointer arithmetic on \(pointer.typeName) prohibited", errno: .EACCES)
        default:
            return
        }
    }
}
