/// One REL entry of a code section.
struct ELFRelocation {
    static let bpf64_64: UInt32 = 1    // R_BPF_64_64: ld_imm64 of a map, global data or function address
    static let bpf64_32: UInt32 = 10   // R_BPF_64_32: bpf-to-bpf call

    let offset: UInt64
    let type: UInt32
    let symbol: ELFSymbol
}

extension ELFFile {
    /// The relocations that apply to code section `target`, keyed by byte offset.
    func relocations(for target: ELFSection, symbols: SymbolTable, fail: Failure) throws(ObjectError) -> [UInt64: ELFRelocation] {
        var result: [UInt64: ELFRelocation] = [:]
        for rel in sections where (rel.type == ELFSection.rel || rel.type == ELFSection.rela) && Int(rel.info) == target.index {
            guard rel.type == ELFSection.rel else {
                throw fail(rel.label, "RELA relocations are not used by BPF objects and are not supported")
            }
            guard Int(rel.link) == symbols.sectionIndex else {
                throw fail(rel.label, "relocations refer to section \(rel.link), not the symbol table")
            }
            guard rel.entrySize == 16, rel.data.count % 16 == 0 else {
                throw fail(rel.label, "relocation entries are not 16 bytes each")
            }
            let bytes = Array(rel.data)
            for i in 0 ..< bytes.count / 16 {
                let r = Record(bytes, at: i * 16, size: 16)!
                let info = r.u64(8)
                let symbolIndex = info >> 32
                guard let s = Int(exactly: symbolIndex), s < symbols.symbols.count else {
                    throw fail(rel.label, "relocation #\(i) names symbol \(symbolIndex), past the symbol table")
                }
                let entry = ELFRelocation(offset: r.u64(0), type: UInt32(truncatingIfNeeded: info), symbol: symbols.symbols[s])
                guard result[entry.offset] == nil else {
                    throw fail(rel.label, "two relocations at offset \(entry.offset)")
                }
                result[entry.offset] = entry
            }
        }
        return result
    }
}
