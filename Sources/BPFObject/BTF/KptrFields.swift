import BPFCore

extension BTF {
    /// The kptr fields of the value type `id`: members whose type is a pointer to a struct with
    /// a `kptr`, `kptr_untrusted` or `percpu_kptr` type tag between them (`struct node __kptr
    /// *field`), as the kernel's btf_parse_fields finds them. With `nested`, also those inside
    /// struct members and arrays (of structs or of kptrs), as the kernel finds them in a map
    /// value (measured: corpus/objects/nested_fields.tcx); an allocated object's are its top
    /// level only (the kernel refuses an exchange into a nested one: "R1 has no valid kptr").
    func kptrFields(inValue id: UInt32, nested: Bool = false) -> [KptrField] {
        guard id != 0, let value = skippingQualifiers(id), value.kind == .structure else { return [] }
        var fields: [KptrField] = []
        collectKptrFields(in: value, at: 0, depth: nested ? 0 : Self.fieldNesting, into: &fields)
        return fields
    }

    /// How deep the walk goes into struct members, and how many fields it collects at most (the
    /// kernel keeps at most 11 special fields a value, BTF_FIELDS_MAX).
    static let fieldNesting = 8
    private static let mostFields = 64, mostElements: UInt32 = 64

    private func collectKptrFields(in structure: BTFType, at base: UInt32, depth: Int, into fields: inout [KptrField]) {
        for index in structure.members.indices where fields.count < Self.mostFields {
            let bits = structure.memberBitOffset(index)
            let (offset, overflow) = base.addingReportingOverflow(bits / 8)
            guard bits % 8 == 0, !overflow else { continue }
            let memberType = structure.members[index].type
            if let (kind, target) = kptrTarget(of: memberType) {
                if offset % 8 == 0, let pointee = type(target) {
                    fields.append(KptrField(offset: offset, kind: kind, targetTypeID: target, targetName: pointee.name))
                }
                continue
            }
            guard depth < Self.fieldNesting, let member = skippingQualifiers(memberType) else { continue }
            if member.kind == .structure {
                collectKptrFields(in: member, at: offset, depth: depth + 1, into: &fields)
            } else if member.kind == .array, let element = skippingQualifiers(member.arrayElement),
                      let stride = size(of: member.arrayElement), stride > 0 {
                for item in 0 ..< min(member.arrayCount, Self.mostElements) {
                    let (start, overflow) = offset.addingReportingOverflow(item * stride)
                    guard !overflow, fields.count < Self.mostFields else { break }
                    if element.kind == .structure {
                        collectKptrFields(in: element, at: start, depth: depth + 1, into: &fields)
                    } else if let (kind, target) = kptrTarget(of: member.arrayElement), start % 8 == 0, let pointee = type(target) {
                        fields.append(KptrField(offset: start, kind: kind, targetTypeID: target, targetName: pointee.name))
                    }
                }
            }
        }
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
