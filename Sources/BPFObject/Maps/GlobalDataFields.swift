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
            guard let name = elf.sections.first(where: { $0.index == section })?.name else { continue }
            // Locks, timers, kptrs and roots, in arrays and one struct deep (BTF.describeGlobalData).
            btf.describeGlobalData(&catalog.specs[index], section: name)
        }
    }
}
