import BPFCore

extension BTF {
    /// A global-data map's BTF as libbpf gives it: no key type, its section's DATASEC as the
    /// value type, and the special fields (`bpf_spin_lock`, `bpf_timer`, kptrs, list and rbtree
    /// roots) of its variables, as the kernel's btf_parse_fields finds them in a DATASEC. Without
    /// the BTF the kernel refuses a program that locks or stashes into the section ("map '.bss.A'
    /// has to have BTF in order to use bpf_spin_lock"). Read from the fixed BTF: clang leaves the
    /// variables' offsets to the loader.
    func describeGlobalData(_ spec: inout MapSpec, section: String) {
        guard let index = types.firstIndex(where: { $0.kind == .dataSection && $0.name == section }),
              let id = UInt32(exactly: index) else { return }
        var found = spec
        found.spinLockOffset = nil
        found.timerOffset = nil
        found.workqueueOffset = nil
        found.kptrFields = []
        found.graphRoots = []
        describeVariables(types[index], into: &found)
        // Sections without special fields are left untyped, as before.
        guard found.spinLockOffset != nil || found.timerOffset != nil || found.workqueueOffset != nil || !found.kptrFields.isEmpty || !found.graphRoots.isEmpty
        else { return }
        spec = found
        spec.btfKeyTypeID = 0
        spec.btfValueTypeID = id
    }

    private func describeVariables(_ section: BTFType, into spec: inout MapSpec) {
        for entry in section.sectionEntries {
            guard let variable = type(entry.type), variable.kind == .variable else { continue }
            if let (kind, target) = kptrTarget(of: variable.sizeOrType), entry.offset % 8 == 0, let pointee = type(target) {
                spec.kptrFields.append(KptrField(offset: entry.offset, kind: kind, targetTypeID: target, targetName: pointee.name))
                continue
            }
            guard let declared = skippingQualifiers(variable.sizeOrType) else { continue }
            // An array of roots is one root per element, all under the variable's tag.
            var value = declared, count: UInt32 = 1
            if declared.kind == .array, let element = skippingQualifiers(declared.arrayElement) {
                value = element
                count = declared.arrayCount
            }
            guard value.kind == .structure else { continue }
            switch value.name {
            case "bpf_spin_lock" where spec.spinLockOffset == nil: spec.spinLockOffset = entry.offset
            case "bpf_timer" where spec.timerOffset == nil: spec.timerOffset = entry.offset
            case "bpf_wq" where spec.workqueueOffset == nil: spec.workqueueOffset = entry.offset
            default:
                if let kind = GraphRoot.Kind(rawValue: value.name) {
                    // A global root's `contains:` tag is on the variable, component -1.
                    guard entry.offset % 8 == 0, count <= 1024,
                          let (contained, node) = containsTag(on: entry.type, member: -1) else { continue }
                    let size = type(contained.id)?.sizeOrType ?? 0
                    for i in 0 ..< count {
                        spec.graphRoots.append(GraphRoot(offset: entry.offset + i * GraphRoot.size, kind: kind,
                                                         containedTypeID: contained.id, containedName: contained.name,
                                                         nodeOffset: node, containedSize: size))
                    }
                } else if count == 1, let id = typeID(of: value) {
                    // A struct variable: its own members' fields, as in a map value (one level).
                    if spec.spinLockOffset == nil, let lock = spinLockOffset(inValue: id) { spec.spinLockOffset = entry.offset + lock }
                    for root in graphRoots(inValue: id) {
                        var moved = root
                        moved.offset += entry.offset
                        spec.graphRoots.append(moved)
                    }
                    describeNested(value, at: entry.offset, into: &spec)
                }
            }
        }
        spec.kptrFields.sort { $0.offset < $1.offset }
        spec.graphRoots.sort { $0.offset < $1.offset }
    }

    /// The id of a type read from this table (types carry their position, not their id).
    private func typeID(of type: BTFType) -> UInt32? {
        types.firstIndex { $0.position == type.position && $0.kind == type.kind }.flatMap { UInt32(exactly: $0) }
    }

    /// Locks and roots one struct deeper, as the kernel's btf_find_nested_struct finds them
    /// (`struct outer { int x; struct inner { lock; head } in; }`).
    private func describeNested(_ outer: BTFType, at base: UInt32, into spec: inout MapSpec) {
        for index in outer.members.indices {
            guard let member = skippingQualifiers(outer.members[index].type), member.kind == .structure,
                  GraphRoot.Kind(rawValue: member.name) == nil, member.name != "bpf_spin_lock", member.name != "bpf_timer",
                  let id = typeID(of: member) else { continue }
            let bits = outer.memberBitOffset(index)
            guard bits % 8 == 0 else { continue }
            let at = base + bits / 8
            if spec.spinLockOffset == nil, let lock = spinLockOffset(inValue: id) { spec.spinLockOffset = at + lock }
            for root in graphRoots(inValue: id) {
                var moved = root
                moved.offset += at
                spec.graphRoots.append(moved)
            }
        }
    }
}
