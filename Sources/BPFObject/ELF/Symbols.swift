/// One ELF64 symbol table entry.
struct ELFSymbol {
    static let typeObject: UInt8 = 1, typeFunc: UInt8 = 2, typeSection: UInt8 = 3
    static let bindLocal: UInt8 = 0, bindWeak: UInt8 = 2
    static let undefined: UInt16 = 0
    /// SHN_LORESERVE: indices from here on are special (ABS, COMMON, XINDEX).
    static let reserved: UInt16 = 0xff00

    let index: Int
    let name: String
    let type: UInt8
    let bind: UInt8
    let section: UInt16
    let value: UInt64
    let size: UInt64

    var label: String { "symbol '\(name)'" }
}

/// The object's symbol table, with names resolved through its string table.
struct SymbolTable {
    let symbols: [ELFSymbol]
    let sectionIndex: Int

    init(_ elf: ELFFile, fail: Failure) throws(ObjectError) {
        let tables = elf.sections.filter { $0.type == ELFSection.symtab }
        guard let table = tables.first else { throw fail(nil, "no symbol table (.symtab)") }
        guard tables.count == 1 else { throw fail(nil, "more than one symbol table") }
        guard table.entrySize == 24, table.data.count % 24 == 0 else {
            throw fail(table.label, "symbol entries are not 24 bytes each")
        }
        guard Int(table.link) < elf.sections.count, table.link != 0,
              elf.sections[Int(table.link)].type == ELFSection.strtab else {
            throw fail(table.label, "linked string table \(table.link) is missing or not a string table")
        }
        let names = elf.sections[Int(table.link)].data
        let bytes = Array(table.data)
        var symbols: [ELFSymbol] = []
        for i in 0 ..< bytes.count / 24 {
            let r = Record(bytes, at: i * 24, size: 24)!
            guard let name = cString(in: names, at: r.u32(0)) else {
                throw fail("symbol #\(i)", "name offset \(r.u32(0)) lies outside the string table")
            }
            let info = r.u8(4)
            symbols.append(ELFSymbol(index: i, name: name, type: info & 0xf, bind: info >> 4,
                                     section: r.u16(6), value: r.u64(8), size: r.u64(16)))
        }
        self.symbols = symbols
        sectionIndex = table.index
    }

    /// Symbols defined in section `index`.
    func defined(in index: Int) -> [ELFSymbol] {
        symbols.filter { $0.section < ELFSymbol.reserved && Int($0.section) == index && $0.index != 0 }
    }
}
