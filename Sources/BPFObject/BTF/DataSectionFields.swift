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
        spec.btfKeyTypeID = 0
        spec.btfValueTypeID = id
        for entry in types[index].sectionEntries {
            guard let variable = type(entry.type), variable.kind == .variable else { continue }
            if let (kind, target) = kptrTarget(of: variable.sizeOrType), entry.offset % 8 == 0, let pointee = type(target) {
                spec.kptrFields.append(KptrField(offset: entry.offset, kind: kind, targetTypeID: target, targetName: pointee.name))
                continue
            }
            guard let value = skippingQualifiers(variable.sizeOrType), value.kind == .structure else { continue }
            switch value.name {
            case "bpf_spin_lock" where spec.spinLockOffset == nil: spec.spinLockOffset = entry.offset
            case "bpf_timer" where spec.timerOffset == nil: spec.timerOffset = entry.offset
            default:
                // A global root's `contains:` tag is on the variable, component -1.
                guard let kind = GraphRoot.Kind(rawValue: value.name), entry.offset % 8 == 0,
                      let (contained, node) = containsTag(on: entry.type, component: UInt32.max) else { continue }
                spec.graphRoots.append(GraphRoot(offset: entry.offset, kind: kind, containedTypeID: contained.id,
                                                 containedName: contained.name, nodeOffset: node))
            }
        }
        spec.kptrFields.sort { $0.offset < $1.offset }
        spec.graphRoots.sort { $0.offset < $1.offset }
    }
}
