extension BTF {
    /// The byte offset of a `struct bpf_spin_lock` member of the value type `id`, nil when
    /// there is none: at the top level, or with `nested` also inside struct members (not
    /// arrays), where the kernel finds one in a map value (measured:
    /// corpus/objects/nested_fields.tcx).
    func spinLockOffset(inValue id: UInt32, nested: Bool = false) -> UInt32? {
        offset(ofStruct: "bpf_spin_lock", inValue: id, nested: nested)
    }

    /// The byte offset of a `struct bpf_timer` member of the value type `id`, nil when there is
    /// none; `nested` as for the lock (the kernel's same walk; not measured for timers).
    func timerOffset(inValue id: UInt32, nested: Bool = false) -> UInt32? {
        offset(ofStruct: "bpf_timer", inValue: id, nested: nested)
    }

    /// The byte offset of a `struct bpf_wq` member of the value type `id`, nil when there is
    /// none; `nested` as for the lock (not measured for workqueues).
    func workqueueOffset(inValue id: UInt32, nested: Bool = false) -> UInt32? {
        offset(ofStruct: "bpf_wq", inValue: id, nested: nested)
    }

    private func offset(ofStruct name: String, inValue id: UInt32, nested: Bool) -> UInt32? {
        guard id != 0, let value = skippingQualifiers(id) else { return nil }
        if value.kind == .dataSection {
            // A global data section: its variables are its members.
            return value.sectionEntries.first { entry in
                guard let variable = type(entry.type), variable.kind == .variable,
                      let member = skippingQualifiers(variable.sizeOrType) else { return false }
                return member.kind == .structure && member.name == name
            }?.offset
        }
        guard value.kind == .structure else { return nil }
        return offset(ofStruct: name, in: value, depth: nested ? 0 : Self.fieldNesting)
    }

    /// The first `name` member of `structure` (depth first, members in order), from its start.
    private func offset(ofStruct name: String, in structure: BTFType, depth: Int) -> UInt32? {
        for index in structure.members.indices {
            guard let member = skippingQualifiers(structure.members[index].type), member.kind == .structure else { continue }
            let bits = structure.memberBitOffset(index)
            guard bits % 8 == 0 else { continue }
            if member.name == name { return bits / 8 }
            if depth < Self.fieldNesting, let inner = offset(ofStruct: name, in: member, depth: depth + 1) {
                let (offset, overflow) = (bits / 8).addingReportingOverflow(inner)
                if !overflow { return offset }
            }
        }
        return nil
    }
}
