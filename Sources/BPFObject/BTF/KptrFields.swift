import BPFCore

extension BTF {
    /// The kptr fields at the top level of the value type `id`: members whose type is a
    /// pointer to a struct with a `kptr`, `kptr_untrusted` or `percpu_kptr` type tag between
    /// them (`struct node __kptr *field`), as the kernel's btf_parse_fields finds them.
    func kptrFields(inValue id: UInt32) -> [KptrField] {
        guard id != 0, let value = skippingQualifiers(id), value.kind == .structure else { return [] }
        var fields: [KptrField] = []
        for index in value.members.indices {
            guard let (kind, target) = kptrTarget(of: value.members[index].type) else { continue }
            let bits = value.memberBitOffset(index)
            guard bits % 64 == 0, let struct_ = type(target) else { continue }
            fields.append(KptrField(offset: bits / 8, kind: kind, targetTypeID: target, targetName: struct_.name))
        }
        return fields
    }

    /// The tag and the struct a member's pointer type points to, when it is a tagged pointer.
    func kptrTarget(of member: UInt32) -> (KptrField.Kind, UInt32)? {
        guard let pointer = skippingQualifiers(member), pointer.kind == .pointer else { return nil }
        var current = pointer.sizeOrType
        var kind: KptrField.Kind?
        for _ in 0 ..< Self.maxDepth {
            guard let t = type(current) else { return nil }
            switch t.kind {
            case .typeTag:
                if let tagged = KptrField.Kind(rawValue: t.name) { kind = tagged }
                current = t.sizeOrType
            case .const, .volatile, .restrict, .typedef:
                current = t.sizeOrType
            case .structure:
                return kind.map { ($0, current) }
            default:
                return nil
            }
        }
        return nil
    }
}
