extension BTF {
    /// The byte offset of a `struct bpf_spin_lock` member at the top level of the value type
    /// `id` (where the kernel accepts one), nil when there is none.
    func spinLockOffset(inValue id: UInt32) -> UInt32? {
        guard id != 0, let value = skippingQualifiers(id), value.kind == .structure else { return nil }
        for index in value.members.indices {
            guard let member = skippingQualifiers(value.members[index].type),
                  member.kind == .structure, member.name == "bpf_spin_lock" else { continue }
            let bits = value.memberBitOffset(index)
            return bits % 8 == 0 ? bits / 8 : nil
        }
        return nil
    }
}
