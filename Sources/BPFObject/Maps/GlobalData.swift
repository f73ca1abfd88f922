import BPFCore

/// `.data`, `.rodata` and `.bss` (and their `.name.*` variants) become single-entry
/// array maps whose one value is the section, as libbpf makes them.
enum GlobalData {
    /// The kernel's largest array value (KMALLOC_MAX_SIZE on x86-64).
    static let maxSize: UInt64 = 4 << 20

    enum Kind { case data, rodata, bss }

    static func kind(of section: ELFSection) -> Kind? {
        func named(_ base: String) -> Bool { section.name == base || section.name.hasPrefix(base + ".") }
        if section.type == ELFSection.progbits, !section.isCode {
            if named(".data") { return .data }
            if named(".rodata") { return .rodata }
        }
        if section.type == ELFSection.nobits, named(".bss") { return .bss }
        return nil
    }

    static func collect(_ elf: ELFFile, btf: BTF?, objectName: String, into catalog: inout MapCatalog, fail: Failure) throws(ObjectError) {
        for section in elf.sections {
            guard let kind = kind(of: section), section.size > 0 else { continue }
            guard section.size <= maxSize else {
                throw fail(section.label, "\(section.size) bytes exceeds the kernel's \(maxSize)-byte limit for a map value")
            }
            let contents = kind == .bss ? [UInt8](repeating: 0, count: Int(section.size)) : Array(section.data)
            var flags: UInt32 = kind == .rodata ? MapFlags.rdonlyProg : 0
            if hasGlobalVariable(btf, section: section.name) { flags |= MapFlags.mmapable }
            let spec = MapSpec(name: internalName(object: objectName, section: section.name), type: .array,
                               keySize: 4, valueSize: UInt32(section.size), maxEntries: 1,
                               flags: flags, initialValue: contents)
            catalog.addGlobalData(spec, section: section.index)
        }
    }

    /// libbpf makes such maps mmap-able when user space can see a variable in them.
    private static func hasGlobalVariable(_ btf: BTF?, section: String) -> Bool {
        guard let btf, let datasec = btf.dataSection(named: section) else { return false }
        return datasec.sectionEntries.contains { entry in
            guard let variable = btf.type(entry.type) else { return false }
            return variable.kind == .variable && variable.linkage != 0
        }
    }

    /// libbpf's kernel-visible name: up to 15 bytes, the object's name first unless the
    /// section has a second dot (`.data.custom`), the section name given at least 7 bytes.
    static func internalName(object: String, section: String) -> String {
        let limit = 15
        let sectionBytes = Array(section.utf8)
        let suffixLength = min(max(7, sectionBytes.count), limit)
        let custom = sectionBytes.dropFirst().contains(UInt8(ascii: "."))
        let prefixLength = custom ? 0 : min(limit - suffixLength, object.utf8.count)
        let raw = Array(object.utf8.prefix(prefixLength)) + sectionBytes.prefix(suffixLength)
        let clean = raw.map { byte -> UInt8 in
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            return ok ? byte : UInt8(ascii: "_")
        }
        return String(decoding: clean, as: UTF8.self)
    }

    /// libbpf's object name: the file's base name, at most 15 bytes, cut at its first dot.
    static func objectName(fromFile file: String) -> String {
        let base = Array(file.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last ?? [])
        let short = base.prefix(15)
        let stem = short.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        return String(decoding: stem, as: UTF8.self)
    }
}
