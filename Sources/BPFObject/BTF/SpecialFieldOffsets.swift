extension BTF {
    /// The byte offset of a `struct bpf_spin_lock` member at the top level of the value type
    /// `id` (where the kernel accepts one), nil when there is none.
    func spinLockOffset(inValue id: UInt32) -> UInt32? {
        offset(ofStruct: "bpf_spin_lock", inValue: id)
    }

    /// The byte offset of a `struct bpf_timer` member at the top level of the value type `id`,
    /// nil when there is none.
    func timerOffset(inValue id: UInt32) -> UInt32? {
        offset(ofStruct: "bpf_timer", inValue: id)
    }

    /// The byte offset of a `struct bpf_wq` member at the top level of the value type `id`,
    /// nil when there is none.
    func workqueueOffset(inValue id: UInt32) -> UInt32? {
        offset(ofStruct: "bpf_wq", inValue: id)
    }

    private func offset(ofStruct name: String, inValue id: UInt32) -> UInt32? {
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
        for index in value.members.indices {
            guard let member = skippingQualifiers(value.members[index].type),
                  member.kind == .structure, member.name == name else { continue }
            let bits = value.memberBitOffset(index)
            return bits % 8 == 0 ? bits / 8 : nil
        }
        return nil
    }
}
