/// The type table of a `.BTF` section.
struct BTF {
    static let magic: UInt16 = 0xeb9f
    /// Index = type id; id 0 is void.
    let types: [BTFType]
    /// The section as it was read.
    let bytes: [UInt8]
    /// The string area within `bytes`.
    let strings: ArraySlice<UInt8>

    init(_ section: ELFSection, fail: Failure) throws(ObjectError) {
        try self.init(bytes: Array(section.data), location: section.label, fail: fail)
    }

    /// BTF from raw bytes, such as /sys/kernel/btf/vmlinux; `location` names it in errors.
    init(bytes: [UInt8], location where_: String, fail: Failure) throws(ObjectError) {
        guard let header = Record(bytes, at: 0, size: 24) else { throw fail(where_, "too short for a BTF header") }
        guard header.u16(0) == Self.magic else {
            throw fail(where_, "bad magic 0x\(String(header.u16(0), radix: 16)) (big-endian BTF is not supported)")
        }
        guard header.u8(2) == 1 else { throw fail(where_, "BTF version \(header.u8(2)) is not supported") }
        let headerLength = UInt64(header.u32(4))
        guard headerLength >= 24,
              let typeRange = checkedRange(offset: headerLength + UInt64(header.u32(8)), count: UInt64(header.u32(12)), limit: bytes.count),
              let stringRange = checkedRange(offset: headerLength + UInt64(header.u32(16)), count: UInt64(header.u32(20)), limit: bytes.count)
        else { throw fail(where_, "type or string area lies outside the section") }
        let strings = bytes[stringRange]
        var reader = TypeReader(bytes: bytes, position: typeRange.lowerBound, end: typeRange.upperBound,
                                strings: strings, fail: fail, location: where_)
        var types = [BTFType.voidType]
        while reader.position < reader.end {
            types.append(try reader.next(id: types.count))
        }
        self.types = types
        self.bytes = bytes
        self.strings = strings
    }

    /// The string at `offset` of the string area.
    func string(at offset: UInt32) -> String? {
        cString(in: strings, at: offset)
    }

    func type(_ id: UInt32) -> BTFType? {
        guard let i = Int(exactly: id), i < types.count else { return nil }
        return types[i]
    }

    /// The id of the data section type called `name`.
    func dataSection(named name: String) -> BTFType? {
        types.first { $0.kind == .dataSection && $0.name == name }
    }
}

/// Walks the type area one record at a time, checking every length against its end.
private struct TypeReader {
    let bytes: [UInt8]
    var position: Int
    let end: Int
    let strings: ArraySlice<UInt8>
    let fail: Failure
    let location: String

    private func record(_ size: Int, id: Int) throws(ObjectError) -> Record {
        guard position <= end, size <= end - position, let r = Record(bytes, at: position, size: size) else {
            throw fail(location, "type [\(id)] runs past the end of the type area")
        }
        return r
    }

    private func name(_ offset: UInt32, id: Int) throws(ObjectError) -> String {
        guard let s = cString(in: strings, at: offset) else {
            throw fail(location, "type [\(id)] has name offset \(offset) outside the string area")
        }
        return s
    }

    mutating func next(id: Int) throws(ObjectError) -> BTFType {
        let head = try record(12, id: id)
        let start = position
        let info = head.u32(4)
        let vlen = Int(info & 0xffff)
        guard let kind = BTFKind(rawValue: UInt8(info >> 24 & 0x1f)), kind != .void else {
            throw fail(location, "type [\(id)] has unknown kind \(info >> 24 & 0x1f)")
        }
        var type = BTFType(kind: kind, name: try name(head.u32(0), id: id), sizeOrType: head.u32(8))
        type.position = start
        type.kindFlag = info >> 31 != 0
        position += 12
        switch kind {
        case .int, .variable, .declTag:
            let extra = try record(4, id: id)
            if kind == .variable { type.linkage = extra.u32(0) }
            if kind == .int { type.intData = extra.u32(0) }
            if kind == .declTag { type.componentIndex = Int32(bitPattern: extra.u32(0)) }
            position += 4
        case .array:
            let extra = try record(12, id: id)
            type.arrayElement = extra.u32(0)
            type.arrayCount = extra.u32(8)
            position += 12
        case .structure, .union:
            let body = try record(vlen * 12, id: id)
            for i in 0 ..< vlen {
                type.members.append(.init(name: try name(body.u32(i * 12), id: id),
                                          type: body.u32(i * 12 + 4), offset: body.u32(i * 12 + 8)))
            }
            position += vlen * 12
        case .dataSection:
            let body = try record(vlen * 12, id: id)
            for i in 0 ..< vlen {
                type.sectionEntries.append(.init(type: body.u32(i * 12), offset: body.u32(i * 12 + 4),
                                                 size: body.u32(i * 12 + 8)))
            }
            position += vlen * 12
        case .enumeration:
            let body = try record(vlen * 8, id: id)
            for i in 0 ..< vlen {
                let raw = body.u32(i * 8 + 4)
                let value = type.kindFlag ? UInt64(bitPattern: Int64(Int32(bitPattern: raw))) : UInt64(raw)
                type.enumValues.append(.init(name: try name(body.u32(i * 8), id: id), value: value))
            }
            position += vlen * 8
        case .functionProto:
            let body = try record(vlen * 8, id: id)
            type.parameters = (0 ..< vlen).map { body.u32($0 * 8 + 4) }
            position += vlen * 8
        case .enum64:
            let body = try record(vlen * 12, id: id)
            for i in 0 ..< vlen {
                let value = UInt64(body.u32(i * 12 + 4)) | UInt64(body.u32(i * 12 + 8)) << 32
                type.enumValues.append(.init(name: try name(body.u32(i * 12), id: id), value: value))
            }
            position += vlen * 12
        case .function:
            // A function's vlen is its linkage: static, global or extern.
            type.linkage = UInt32(vlen)
        case .void, .pointer, .forward, .typedef, .volatile, .const, .restrict, .float, .typeTag:
            break
        }
        return type
    }
}
