import BPFCore

extension BTF {
    /// The graph roots at the top level of the value type `id`: members of type
    /// `struct bpf_list_head` or `struct bpf_rb_root` that a `contains:T:member` declaration tag
    /// names the objects of, as the kernel's btf_parse_fields finds them.
    func graphRoots(inValue id: UInt32) -> [GraphRoot] {
        guard id != 0, let value = skippingQualifiers(id), value.kind == .structure else { return [] }
        var roots: [GraphRoot] = []
        for index in value.members.indices {
            guard let member = skippingQualifiers(value.members[index].type), member.kind == .structure,
                  let kind = GraphRoot.Kind(rawValue: member.name),
                  let (contained, node) = containsTag(on: id, component: UInt32(truncatingIfNeeded: index)) else { continue }
            let bits = value.memberBitOffset(index)
            guard bits % 64 == 0 else { continue }
            roots.append(GraphRoot(offset: bits / 8, kind: kind, containedTypeID: contained.id,
                                   containedName: contained.name, nodeOffset: node))
        }
        return roots
    }

    /// The struct and node offset a `contains:T:member` tag on `component` of `owner` names:
    /// a member index of a struct, or 0xffffffff (-1) for a global variable itself.
    func containsTag(on owner: UInt32, component wanted: UInt32) -> ((id: UInt32, name: String), UInt32)? {
        for tag in types where tag.kind == .declTag && tag.sizeOrType == owner && tag.name.hasPrefix("contains:") {
            // A declaration tag's extra word is the member (component) index it is on.
            let at = tag.position + 12
            guard at + 4 <= bytes.count else { continue }
            let component = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            guard component == wanted else { continue }
            let parts = tag.name.split(separator: ":").map(String.init)
            guard parts.count == 3 else { return nil }
            guard let containedID = types.indices.first(where: { types[$0].kind == .structure && types[$0].name == parts[1] }),
                  let id = UInt32(exactly: containedID) else { return nil }
            let contained = types[containedID]
            guard let nodeIndex = contained.members.firstIndex(where: { $0.name == parts[2] }) else { return nil }
            let bits = contained.memberBitOffset(nodeIndex)
            guard bits % 64 == 0 else { return nil }
            return ((id, parts[1]), bits / 8)
        }
        return nil
    }
}
