/// Following type references the way map definitions need: through typedefs and
/// qualifiers, and sizing a type as `sizeof` would.
extension BTF {
    /// Deep enough for any real program; stops reference cycles in corrupt input.
    static let maxDepth = 32

    /// The type after typedefs and const/volatile/restrict/type-tag qualifiers.
    func skippingQualifiers(_ id: UInt32) -> BTFType? {
        var current = id
        for _ in 0 ..< Self.maxDepth {
            guard let t = type(current) else { return nil }
            switch t.kind {
            case .typedef, .volatile, .const, .restrict, .typeTag: current = t.sizeOrType
            default: return t
            }
        }
        return nil
    }

    /// `sizeof` of type `id`, or nil for types without a size (void, functions, forward
    /// declarations), cycles, and sizes that do not fit 32 bits.
    func size(of id: UInt32) -> UInt32? {
        var current = id
        var multiplier: UInt64 = 1
        for _ in 0 ..< Self.maxDepth {
            guard let t = type(current) else { return nil }
            switch t.kind {
            case .int, .structure, .union, .enumeration, .enum64, .dataSection, .float:
                let total = multiplier * UInt64(t.sizeOrType)
                return UInt32(exactly: total)
            case .pointer:
                return UInt32(exactly: multiplier * 8)
            case .typedef, .volatile, .const, .restrict, .typeTag, .variable, .declTag:
                current = t.sizeOrType
            case .array:
                multiplier *= UInt64(t.arrayCount)
                guard multiplier <= UInt64(UInt32.max) else { return nil }
                current = t.arrayElement
            case .void, .forward, .function, .functionProto:
                return nil
            }
        }
        return nil
    }
}
