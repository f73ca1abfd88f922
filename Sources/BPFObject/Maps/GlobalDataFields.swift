import BPFCore

/// Global variables that are special fields — a `bpf_spin_lock`, or a `bpf_rb_root` or
/// `bpf_list_head` whose variable carries a `contains:T:node` tag (the kernel selftests'
/// `private(A)` globals) — type their data section's map as libbpf creates it: with the
/// section's DATASEC as value type (the kernel refuses a spin lock in a map without BTF), the
/// lock and roots read from the section as from a struct value. Sections without such fields
/// are left untyped, as before.
enum GlobalDataFields {
    static func type(_ catalog: inout MapCatalog, elf: ELFFile, kernelBTF: [UInt8]?) {
        guard let kernelBTF, !catalog.globalData.isEmpty,
              let btf = try? BTF(bytes: kernelBTF, location: ".BTF", fail: Failure(file: "program BTF")) else { return }
        for (section, index) in catalog.globalData where catalog.specs.indices.contains(index) {
            // The fixed BTF (KernelBTF) has the sections' sizes and variables' offsets filled in.
            guard let name = elf.sections.first(where: { $0.index == section })?.name,
                  let id = btf.types.indices.first(where: { btf.types[$0].kind == .dataSection && btf.types[$0].name == name }),
                  let typeID = UInt32(exactly: id) else { continue }
            let lock = btf.spinLockOffset(inValue: typeID), roots = btf.graphRoots(inValue: typeID)
            guard lock != nil || !roots.isEmpty else { continue }
            catalog.specs[index].btfValueTypeID = typeID
            catalog.specs[index].spinLockOffset = lock
            catalog.specs[index].graphRoots = roots
        }
    }
}
