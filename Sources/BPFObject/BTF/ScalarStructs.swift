extension BTF {
    /// Whether struct `type` holds numbers only, as the kernel's `__btf_type_is_scalar_struct`
    /// asks of what `bpf_percpu_obj_new` allocates: each member an int or enum, an array of them,
    /// or a struct of them nested at most two deep (no pointer, union or float).
    func isScalarStruct(_ type: BTFType, depth: Int = 0) -> Bool {
        guard type.kind == .structure, depth < 3 else { return false }
        return type.members.allSatisfy { member in
            guard let resolved = skippingQualifiers(member.type) else { return false }
            switch resolved.kind {
            case .structure:
                return isScalarStruct(resolved, depth: depth + 1)
            case .array:
                guard let element = skippingQualifiers(resolved.arrayElement) else { return false }
                return element.kind == .int || element.kind == .enumeration
            default:
                return resolved.kind == .int || resolved.kind == .enumeration
            }
        }
    }
}
