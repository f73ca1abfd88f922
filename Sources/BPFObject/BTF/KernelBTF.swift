/// The `.BTF` bytes as BPF_BTF_LOAD takes them, and the function records of `.BTF.ext`.
///
/// clang leaves every data section's size and its variables' offsets at zero (the linker
/// knows them, the compiler does not); the kernel refuses a data section of size zero, so
/// both are filled in from the ELF section headers and symbols before the BTF is handed on.
enum KernelBTF {
    /// `btf`'s bytes with data section sizes and variable offsets filled in and each section's
    /// variables in offset order; nil when a section or variable cannot be found in the ELF.
    /// `.ksyms` and `.kconfig` have no ELF section: see `ExternSections`.
    static func fixed(_ btf: BTF, elf: ELFFile, symbols: SymbolTable, kconfigOffsets: [String: Int] = [:]) -> [UInt8]? {
        var bytes = btf.bytes
        guard var externSections = ExternSections(btf) else { return nil }
        for type in btf.types where type.kind == .dataSection {
            var entries = type.sectionEntries
            if type.name == Externs.ksymsSection || type.name == Externs.kconfigSection {
                let rewritten = type.name == Externs.ksymsSection
                    ? externSections.ksyms(type, bytes: &bytes)
                    : externSections.kconfig(type, offsets: kconfigOffsets, bytes: &bytes)
                guard let rewritten else { return nil }
                store(rewritten.size, at: type.position + 8, in: &bytes)
                entries = rewritten.entries
            } else if type.sizeOrType == 0 {
                guard let section = elf.section(named: type.name),
                      let size = UInt32(exactly: section.size), size > 0 else { return nil }
                store(size, at: type.position + 8, in: &bytes)
                for i in entries.indices {
                    guard let variable = btf.type(entries[i].type), variable.kind == .variable,
                          let symbol = symbols.defined(in: section.index).first(where: { $0.name == variable.name }),
                          let offset = UInt32(exactly: symbol.value) else { return nil }
                    entries[i] = .init(type: entries[i].type, offset: offset, size: entries[i].size)
                }
            }
            entries.sort { $0.offset < $1.offset }
            for (i, entry) in entries.enumerated() {
                let at = type.position + 12 + i * 12
                store(entry.type, at: at, in: &bytes)
                store(entry.offset, at: at + 4, in: &bytes)
                store(entry.size, at: at + 8, in: &bytes)
            }
        }
        return externSections.appended(to: bytes)
    }

    static func store(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0 ..< 4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    /// The `.BTF.ext` function records, by ELF section name: each function's first byte in its
    /// section and its BTF type id. Nil when the records cannot be read.
    static func functionRecords(_ ext: ELFSection, btf: BTF) -> [String: [UInt64: UInt32]]? {
        let bytes = Array(ext.data)
        guard let header = Record(bytes, at: 0, size: 24), header.u16(0) == BTF.magic else { return nil }
        let headerLength = UInt64(header.u32(4))
        guard let area = checkedRange(offset: headerLength + UInt64(header.u32(8)), count: UInt64(header.u32(12)),
                                      limit: bytes.count) else { return nil }
        guard !area.isEmpty else { return [:] }
        guard let sizeRecord = Record(bytes, at: area.lowerBound, size: 4) else { return nil }
        let recordSize = Int(sizeRecord.u32(0))
        guard recordSize >= 8 else { return nil }
        var result: [String: [UInt64: UInt32]] = [:]
        var position = area.lowerBound + 4
        while position < area.upperBound {
            guard area.upperBound - position >= 8, let head = Record(bytes, at: position, size: 8),
                  let name = btf.string(at: head.u32(0)) else { return nil }
            let count = Int(head.u32(4))
            position += 8
            guard count <= (area.upperBound - position) / recordSize else { return nil }
            var records = result[name] ?? [:]
            for i in 0 ..< count {
                guard let r = Record(bytes, at: position + i * recordSize, size: 8) else { return nil }
                records[UInt64(r.u32(0))] = r.u32(4)
            }
            result[name] = records
            position += count * recordSize
        }
        return result
    }
}
