import BPFCore

/// The `maps` section of older objects: consecutive `struct bpf_map_def`s, one per symbol.
enum LegacyMaps {
    /// type, key_size, value_size, max_entries, map_flags: 4 bytes each.
    static let fullSize = 20
    /// Definitions without `map_flags` were once common too.
    static let minimumSize = 16

    static func collect(_ elf: ELFFile, _ symbols: SymbolTable, into catalog: inout MapCatalog, fail: Failure) throws(ObjectError) {
        guard let section = elf.section(named: "maps") else { return }
        guard section.type == ELFSection.progbits else { throw fail(section.label, "legacy map definitions must be PROGBITS") }
        let defs = symbols.defined(in: section.index)
            .filter { $0.type != ELFSymbol.typeSection && $0.type != 4 } // not section or file symbols
            .sorted { $0.value < $1.value }
        guard !defs.isEmpty else {
            if section.data.isEmpty { return }
            throw fail(section.label, "has contents but no symbols naming the maps")
        }
        let bytes = Array(section.data)
        let shared = bytes.count / defs.count
        for symbol in defs {
            let size = symbol.size != 0 ? Int(clamping: symbol.size) : shared
            guard size >= minimumSize else {
                throw fail("map '\(symbol.name)'", "definition of \(size) bytes is shorter than the \(minimumSize) of type, key_size, value_size, max_entries")
            }
            guard let start = Int(exactly: symbol.value), let r = Record(bytes, at: start, size: size) else {
                throw fail("map '\(symbol.name)'", "definition at offset \(symbol.value) runs past the end of the maps section")
            }
            if size > fullSize, (fullSize ..< size).contains(where: { r.u8($0) != 0 }) {
                throw fail("map '\(symbol.name)'", "definition has non-zero fields after map_flags (iproute2's pinning/id/inner map fields are not supported)")
            }
            let spec = MapSpec(name: symbol.name, type: MapType(rawValue: r.u32(0)), keySize: r.u32(4),
                               valueSize: r.u32(8), maxEntries: r.u32(12), flags: size >= fullSize ? r.u32(16) : 0)
            try catalog.addDefinition(spec, section: section.index, offset: symbol.value, fail: fail)
        }
    }
}
