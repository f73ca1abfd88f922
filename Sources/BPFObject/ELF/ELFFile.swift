/// The parts of an ELF64 little-endian relocatable BPF object the loader needs.
struct ELFFile {
    var sections: [ELFSection]

    static let machineBPF: UInt16 = 247

    init(_ bytes: [UInt8], fail: Failure) throws(ObjectError) {
        guard let header = Record(bytes, at: 0, size: 64) else {
            throw fail(nil, "too short for an ELF header (\(bytes.count) bytes)")
        }
        guard header.u32(0) == 0x464c_457f else { throw fail(nil, "not an ELF file (bad magic)") }
        guard header.u8(4) == 2 else { throw fail(nil, "32-bit ELF is not supported: BPF objects are ELF64") }
        switch header.u8(5) {
        case 1: break
        case 2: throw fail(nil, "big-endian BPF objects (-target bpfeb) are not supported: build with -target bpf or bpfel")
        default: throw fail(nil, "unknown ELF data encoding \(header.u8(5))")
        }
        let type = header.u16(16), machine = header.u16(18)
        guard machine == Self.machineBPF else {
            throw fail(nil, "machine \(machine) is not BPF (\(Self.machineBPF)): the object was not built with -target bpf")
        }
        guard type == 1 else { throw fail(nil, "ELF type \(type) is not a relocatable object (ET_REL)") }

        let shoff = header.u64(40), shentsize = header.u16(58), shnum = header.u16(60), shstrndx = header.u16(62)
        guard shnum != 0 else { throw fail(nil, "no section headers (or extended section numbering, not supported)") }
        guard shentsize == 64 else { throw fail(nil, "section header size \(shentsize) is not 64") }
        guard let table = checkedRange(offset: shoff, count: UInt64(shnum) * 64, limit: bytes.count) else {
            throw fail(nil, "section header table (\(shnum) entries at \(shoff)) lies outside the file")
        }
        guard shstrndx < shnum else { throw fail(nil, "section name table index \(shstrndx) is out of range") }

        var raw: [ELFSection] = []
        for i in 0 ..< Int(shnum) {
            let entry = Record(bytes, at: table.lowerBound + i * 64, size: 64)!
            raw.append(try ELFSection(index: i, header: entry, file: bytes, fail: fail))
        }
        let names = raw[Int(shstrndx)]
        guard names.type == ELFSection.strtab else { throw fail(nil, "section name table is not a string table") }
        for i in raw.indices {
            guard let name = cString(in: names.data, at: raw[i].nameOffset) else {
                throw fail("section #\(i)", "name offset \(raw[i].nameOffset) lies outside the section name table")
            }
            raw[i].name = name
        }
        sections = raw
    }

    func section(named name: String) -> ELFSection? { sections.first { $0.name == name } }
}

struct ELFSection {
    static let progbits: UInt32 = 1, symtab: UInt32 = 2, strtab: UInt32 = 3, rela: UInt32 = 4
    static let nobits: UInt32 = 8, rel: UInt32 = 9
    static let flagExec: UInt64 = 0x4

    let index: Int
    var name = ""
    let nameOffset: UInt32
    let type: UInt32
    let flags: UInt64
    let size: UInt64
    let link: UInt32
    let info: UInt32
    let entrySize: UInt64
    /// The section's bytes; empty for SHT_NOBITS, whose size is only `size`.
    let data: ArraySlice<UInt8>

    init(index: Int, header: Record, file: [UInt8], fail: Failure) throws(ObjectError) {
        self.index = index
        nameOffset = header.u32(0)
        type = header.u32(4)
        flags = header.u64(8)
        let offset = header.u64(24)
        size = header.u64(32)
        link = header.u32(40)
        info = header.u32(44)
        entrySize = header.u64(56)
        if type == Self.nobits || index == 0 {
            data = []
        } else {
            guard let range = checkedRange(offset: offset, count: size, limit: file.count) else {
                throw fail("section #\(index)", "contents (\(size) bytes at \(offset)) lie outside the file")
            }
            data = file[range]
        }
    }

    var isCode: Bool { type == Self.progbits && flags & Self.flagExec != 0 }
    var label: String { "section '\(name)'" }
}
