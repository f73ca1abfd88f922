/// The `.ksyms` and `.kconfig` data sections rewritten the way libbpf rewrites them before
/// BPF_BTF_LOAD. Neither has an ELF section behind it, so clang leaves its size at zero; the
/// kernel refuses a data section of size zero, an extern variable or function linkage, and a
/// data section entry that is not a variable.
///
/// - `.ksyms`: every entry becomes 4 bytes at 4 × its index. A kernel variable becomes an
///   allocated `int`; a kfunc becomes a global function, its entry points at a placeholder
///   variable, and its unnamed parameters take the placeholder's name.
/// - `.kconfig`: every variable becomes allocated, at its offset in the `.kconfig` map's value.
struct ExternSections {
    static let placeholderName = "ksym_placeholder"
    static let intName = "int"

    let btf: BTF
    /// Types and strings appended after the object's own.
    private(set) var addedTypes: [UInt8] = []
    private(set) var addedStrings: [UInt8] = []
    private var nextID: UInt32
    private var intID: UInt32?
    private var placeholder: (id: UInt32, name: UInt32)?

    init?(_ btf: BTF) {
        guard let count = UInt32(exactly: btf.types.count) else { return nil }
        self.btf = btf
        nextID = count
        intID = btf.types.indices.first { i in
            let t = btf.types[i]
            return t.kind == .int && t.sizeOrType == 4 && t.intData & 0xff == 32 && t.intBitOffset == 0
        }.flatMap { UInt32(exactly: $0) }
    }

    /// The new entries and size of `.ksyms`, with its variables and functions rewritten in `bytes`.
    mutating func ksyms(_ section: BTFType, bytes: inout [UInt8]) -> (entries: [BTFType.SectionEntry], size: UInt32)? {
        var entries: [BTFType.SectionEntry] = []
        for (i, entry) in section.sectionEntries.enumerated() {
            guard let offset = UInt32(exactly: i * 4), let type = btf.type(entry.type) else { return nil }
            var entryType = entry.type
            switch type.kind {
            case .variable:
                guard let int = integer() else { return nil }
                KernelBTF.store(int, at: type.position + 8, in: &bytes)
                KernelBTF.store(Self.allocated, at: type.position + 12, in: &bytes)
            case .function:
                guard let placeholder = placeholderVariable(),
                      let prototype = btf.type(type.sizeOrType), prototype.kind == .functionProto else { return nil }
                KernelBTF.store(UInt32(BTFKind.function.rawValue) << 24 | Self.globalFunction, at: type.position + 4, in: &bytes)
                for j in prototype.parameters.indices where prototype.parameters[j] != 0 {
                    let at = prototype.position + 12 + j * 8
                    guard let name = Record(bytes, at: at, size: 4) else { return nil }
                    if name.u32(0) == 0 { KernelBTF.store(placeholder.name, at: at, in: &bytes) }
                }
                entryType = placeholder.id
            default:
                return nil
            }
            entries.append(.init(type: entryType, offset: offset, size: 4))
        }
        guard let size = UInt32(exactly: entries.count * 4) else { return nil }
        return (entries, size)
    }

    /// The new entries and size of `.kconfig`: each variable at `offsets[name]`.
    func kconfig(_ section: BTFType, offsets: [String: Int], bytes: inout [UInt8]) -> (entries: [BTFType.SectionEntry], size: UInt32)? {
        var entries: [BTFType.SectionEntry] = []
        var end: UInt32 = 0
        for entry in section.sectionEntries {
            guard let type = btf.type(entry.type), type.kind == .variable,
                  let offset = offsets[type.name].flatMap({ UInt32(exactly: $0) }),
                  let size = entry.size > 0 ? entry.size : btf.size(of: type.sizeOrType) else { return nil }
            KernelBTF.store(Self.allocated, at: type.position + 12, in: &bytes)
            entries.append(.init(type: entry.type, offset: offset, size: size))
            let (last, overflow) = offset.addingReportingOverflow(size)
            guard !overflow else { return nil }
            end = max(end, last)
        }
        return (entries, end)
    }

    /// `bytes` with the added types and strings after the object's own, the header updated.
    func appended(to bytes: [UInt8]) -> [UInt8]? {
        guard !addedTypes.isEmpty else { return bytes }
        guard let header = Record(bytes, at: 0, size: 24) else { return nil }
        let headerLength = UInt64(header.u32(4))
        guard let types = checkedRange(offset: headerLength + UInt64(header.u32(8)), count: UInt64(header.u32(12)), limit: bytes.count),
              let strings = checkedRange(offset: headerLength + UInt64(header.u32(16)), count: UInt64(header.u32(20)), limit: bytes.count),
              let head = Int(exactly: headerLength),
              let typeLength = UInt32(exactly: types.count + addedTypes.count),
              let stringLength = UInt32(exactly: strings.count + addedStrings.count) else { return nil }
        var result = Array(bytes[0 ..< head])
        KernelBTF.store(0, at: 8, in: &result)
        KernelBTF.store(typeLength, at: 12, in: &result)
        KernelBTF.store(typeLength, at: 16, in: &result)
        KernelBTF.store(stringLength, at: 20, in: &result)
        result += bytes[types] + addedTypes + bytes[strings] + addedStrings
        return result
    }

    private static let allocated: UInt32 = 1
    private static let globalFunction: UInt32 = 1
    private static let intSigned32: UInt32 = 1 << 24 | 32

    /// A 4-byte signed int of the object, or one added.
    private mutating func integer() -> UInt32? {
        if let intID { return intID }
        guard let name = addString(Self.intName) else { return nil }
        let id = nextID
        addType([name, UInt32(BTFKind.int.rawValue) << 24, 4, Self.intSigned32])
        intID = id
        return id
    }

    /// The allocated `int` variable that function entries of `.ksyms` point at, added once.
    private mutating func placeholderVariable() -> (id: UInt32, name: UInt32)? {
        if let placeholder { return placeholder }
        guard let int = integer(), let name = addString(Self.placeholderName) else { return nil }
        let id = nextID
        addType([name, UInt32(BTFKind.variable.rawValue) << 24, int, Self.allocated])
        placeholder = (id, name)
        return placeholder
    }

    private mutating func addType(_ words: [UInt32]) {
        for word in words {
            for i in 0 ..< 4 { addedTypes.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))) }
        }
        nextID += 1
    }

    /// The offset the string will have in the combined string area.
    private mutating func addString(_ string: String) -> UInt32? {
        guard let offset = UInt32(exactly: btf.strings.count + addedStrings.count) else { return nil }
        addedStrings += Array(string.utf8) + [0]
        return offset
    }
}
