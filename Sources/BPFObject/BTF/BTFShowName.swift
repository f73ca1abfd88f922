/// The `[.member = ](type)` the kernel puts before each value and each opening brace
/// (btf_show_name), with its quirks kept: an array element has no name at all (nor have the
/// members of a struct inside one, until a nested array ends), a member's name comes with the
/// member's own type (its typedef), the walk follows at most ten typedefs, pointers and arrays
/// and gives up (no name) past them, and the whole is cut to 79 bytes.
extension BTFShow {
    /// `BTF_SHOW_MAX_ITER`: typedefs, pointers and arrays a name follows.
    static let nameSteps = 10
    /// `BTF_SHOW_NAME_SIZE` less its NUL.
    static let nameLimit = 79

    func typeName() -> [UInt8] {
        if state.arrayMember { return [] }
        var id = state.typeID
        var memberName = ""
        if let member = state.member {
            memberName = member.name
            id = member.type
        }
        guard var current = btf.type(id) else { return [] }
        var typedefName: String?
        var pointers = 0, arrays = 0
        var sawTypedef = false, sawPointer = false, sawArray = false
        var parens = ""
        var ended = false
        for _ in 0 ..< Self.nameSteps {
            var next: UInt32 = 0
            switch current.kind {
            case .typedef:
                if typedefName == nil { typedefName = current.name }
                sawTypedef = true
                next = current.sizeOrType
            case .array:
                sawArray = true
                parens = "["
                arrays += 1
                next = current.arrayElement
            case .pointer:
                sawPointer = true
                pointers += 1
                next = current.sizeOrType
            default:
                break
            }
            if next == 0 {
                ended = true
                break
            }
            // A broken reference ends the name where the kernel would have read garbage.
            guard let following = skippingQualifiersOnly(next) else { return [] }
            current = following
        }
        guard ended else { return [] }
        let name = typedefName ?? current.name
        var prefix = ""
        switch current.kind {
        case .structure, .union:
            prefix = current.kind == .structure ? "struct" : "union"
            if !sawArray { parens = "{" }
        case .enumeration, .enum64:
            prefix = "enum"
        default:
            break
        }
        if sawPointer { parens = "" }
        if sawTypedef { prefix = "" }
        if flags.contains(.noName) { return Array(parens.utf8) }
        var text = memberName.isEmpty ? "" : ".\(memberName) = "
        text += "(" + prefix + (!prefix.isEmpty && !name.isEmpty ? " " : "") + name
        text += (pointers > 0 ? " " : "") + String(repeating: "*", count: pointers)
        text += String(repeating: "[]", count: arrays) + ")" + parens
        return Array(text.utf8.prefix(Self.nameLimit))
    }

    /// const, volatile, restrict and type tags skipped, typedefs kept (btf_type_skip_qualifiers).
    func skippingQualifiersOnly(_ id: UInt32) -> BTFType? {
        var current = id
        for _ in 0 ..< BTF.maxDepth {
            guard let t = btf.type(current) else { return nil }
            switch t.kind {
            case .volatile, .const, .restrict, .typeTag: current = t.sizeOrType
            default: return t
            }
        }
        return nil
    }

    /// Every modifier skipped, typedefs too: the id the kernel resolved a modifier or variable to.
    func resolvedID(_ id: UInt32) -> UInt32? {
        var current = id
        for _ in 0 ..< BTF.maxDepth {
            guard let t = btf.type(current) else { return nil }
            switch t.kind {
            case .typedef, .volatile, .const, .restrict, .typeTag, .variable: current = t.sizeOrType
            default: return current
            }
        }
        return nil
    }
}
