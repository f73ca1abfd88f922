import BPFCore

extension BTF {
    /// The graph roots at the top level of the value type `id`: members of type
    /// `struct bpf_list_head` or `struct bpf_rb_root` that a `contains:T:member` declaration tag
    /// names the objects of, as the kernel's btf_parse_fields finds them.
    func graphRoots(inValue id: UInt32) -> [GraphRoot] {
        guard id != 0, let value = skippingQualifiers(id) else { return [] }
        if value.kind == .dataSection { return graphRoots(inSection: value) }
        guard value.kind == .structure else { return [] }
        var roots: [GraphRoot] = []
        for index in value.members.indices {
            guard let member = skippingQualifiers(value.members[index].type), member.kind == .structure,
                  let kind = GraphRoot.Kind(rawValue: member.name),
                  let (contained, node) = containsTag(on: id, member: index) else { continue }
            let size = types.indices.contains(Int(contained.id)) ? types[Int(contained.id)].sizeOrType : 0
            let bits = value.memberBitOffset(index)
            guard bits % 64 == 0 else { continue }
            roots.append(GraphRoot(offset: bits / 8, kind: kind, containedTypeID: contained.id,
                                   containedName: contained.name, nodeOffset: node, containedSize: size))
        }
        return roots
    }

    /// The roots among a data section's variables: the tag is on the variable itself.
    private func graphRoots(inSection section: BTFType) -> [GraphRoot] {
        var roots: [GraphRoot] = []
        for entry in section.sectionEntries {
            guard let variable = type(entry.type), variable.kind == .variable,
                  var member = skippingQualifiers(variable.sizeOrType) else { continue }
            // An array of roots is as many roots, one after another (the kernel's nelems).
            var count: UInt32 = 1
            if member.kind == .array, let element = skippingQualifiers(member.arrayElement) {
                count = member.arrayCount
                member = element
            }
            guard member.kind == .structure, let kind = GraphRoot.Kind(rawValue: member.name), entry.offset % 8 == 0,
                  let (contained, node) = containsTag(on: entry.type, member: -1) else { continue }
            let size = types.indices.contains(Int(contained.id)) ? types[Int(contained.id)].sizeOrType : 0
            for element in 0 ..< count {
                roots.append(GraphRoot(offset: entry.offset + element * GraphRoot.size, kind: kind, containedTypeID: contained.id,
                                       containedName: contained.name, nodeOffset: node, containedSize: size))
            }
        }
        return roots
    }

    /// The struct and node offset a `contains:T:member` tag on member `index` of `structure`
    /// names (-1: the tag is on `structure` itself, a variable).
    func containsTag(on structure: UInt32, member index: Int) -> ((id: UInt32, name: String), UInt32)? {
        for tag in types where tag.kind == .declTag && tag.sizeOrType == structure && tag.name.hasPrefix("contains:") {
            // A declaration tag's extra word is the member (component) index it is on.
            let at = tag.position + 12
            guard at + 4 <= bytes.count else { continue }
            let component = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            guard Int(Int32(bitPattern: component)) == index else { continue }
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
