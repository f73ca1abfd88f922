/// libbpf's three notions of "the same type" across two BTFs: for fields (loose: any ints,
/// any composites), for type relocations (shape of pointers, arrays, prototypes), and for
/// `bpf_core_type_matches` (strict: sizes, signedness, members by name).
struct CORECompat {
    let local: BTF
    let target: BTF
    var budget: COREBudget

    private func resolve(_ l: UInt32, _ t: UInt32) throws(COREFailure) -> ((UInt32, BTFType), (UInt32, BTFType)) {
        guard let a = local.skippingModifiers(l), let b = target.skippingModifiers(t) else {
            throw COREFailure("type [\(l)] or target type [\(t)] is missing or cyclic")
        }
        return (a, b)
    }

    private static func tooDeep() -> COREFailure {
        COREFailure("types nest deeper than \(COREBudget.maxTypeDepth) levels")
    }

    /// Whether a member's local type can be read from the target member's type.
    mutating func fieldsCompatible(_ localID: UInt32, _ targetID: UInt32) throws(COREFailure) -> Bool {
        var (l, t) = (localID, targetID)
        for _ in 0 ..< COREBudget.maxTypeDepth {
            try budget.spend()
            let ((_, a), (_, b)) = try resolve(l, t)
            if a.isComposite && b.isComposite { return true }
            guard CORECandidates.kindsCompatible(a, b) else { return false }
            switch a.kind {
            case .pointer, .float: return true
            case .forward, .enumeration, .enum64: return CORENames.match(a.name, b.name)
            case .int: return a.intBitOffset == 0 && b.intBitOffset == 0
            case .array: (l, t) = (a.arrayElement, b.arrayElement)
            default: return false
            }
        }
        throw Self.tooDeep()
    }

    /// Compatibility for type-based relocations (exists, size, target id).
    mutating func typesCompatible(_ localID: UInt32, _ targetID: UInt32, depth: Int = COREBudget.maxTypeDepth) throws(COREFailure) -> Bool {
        var (l, t) = (localID, targetID)
        var level = depth
        while level > 0 {
            level -= 1
            try budget.spend()
            let ((_, a), (_, b)) = try resolve(l, t)
            guard CORECandidates.kindsCompatible(a, b) else { return false }
            switch a.kind {
            case .void, .structure, .union, .enumeration, .enum64, .forward: return true
            case .int: return a.intBitOffset == 0 && b.intBitOffset == 0
            case .pointer: (l, t) = (a.sizeOrType, b.sizeOrType)
            case .array: (l, t) = (a.arrayElement, b.arrayElement)
            case .functionProto:
                guard a.parameters.count == b.parameters.count else { return false }
                for (p, q) in zip(a.parameters, b.parameters) {
                    guard try typesCompatible(p, q, depth: level) else { return false }
                }
                (l, t) = (a.sizeOrType, b.sizeOrType)
            default: return false
            }
        }
        throw Self.tooDeep()
    }

    /// The strict comparison of `bpf_core_type_matches`.
    mutating func typesMatch(_ localID: UInt32, _ targetID: UInt32, behindPointer: Bool = false,
                             depth: Int = COREBudget.maxTypeDepth) throws(COREFailure) -> Bool {
        var (l, t) = (localID, targetID)
        var behind = behindPointer
        var level = depth
        while level > 0 {
            level -= 1
            try budget.spend()
            let ((_, a), (_, b)) = try resolve(l, t)
            guard CORENames.match(a.name, b.name) else { return false }
            switch a.kind {
            case .void:
                return b.kind == .void
            case .forward:
                if behind && a.kind != b.kind {
                    return (b.kind == .structure && !a.kindFlag) || (b.kind == .union && a.kindFlag)
                }
                return a.kind == b.kind && a.kindFlag == b.kindFlag
            case .enumeration, .enum64:
                guard b.isAnyEnum, a.sizeOrType == b.sizeOrType else { return false }
                return a.enumValues.allSatisfy { v in
                    b.enumValues.contains { !$0.name.isEmpty && CORENames.essential(v.name) == CORENames.essential($0.name) }
                }
            case .structure, .union:
                if behind {
                    if a.kind == b.kind { return true }
                    return b.kind == .forward && (a.kind == .union) == b.kindFlag
                }
                guard a.kind == b.kind, a.members.count <= b.members.count else { return false }
                for m in a.members {
                    var found = false
                    for n in b.members where !n.name.isEmpty && m.name == n.name {
                        if try typesMatch(m.type, n.type, behindPointer: behind, depth: level) { found = true; break }
                    }
                    guard found else { return false }
                }
                return true
            case .int:
                return b.kind == .int && a.sizeOrType == b.sizeOrType && a.intIsSigned == b.intIsSigned
            case .pointer:
                guard b.kind == .pointer else { return false }
                behind = true
                (l, t) = (a.sizeOrType, b.sizeOrType)
            case .array:
                guard b.kind == .array, a.arrayCount == b.arrayCount else { return false }
                (l, t) = (a.arrayElement, b.arrayElement)
            case .functionProto:
                guard b.kind == .functionProto, a.parameters.count == b.parameters.count else { return false }
                for (p, q) in zip(a.parameters, b.parameters) {
                    guard try typesMatch(p, q, behindPointer: behind, depth: level) else { return false }
                }
                (l, t) = (a.sizeOrType, b.sizeOrType)
            default:
                return false
            }
        }
        throw Self.tooDeep()
    }
}
