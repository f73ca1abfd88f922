/// One CO-RE relocation record of `.BTF.ext`: which instruction, which local type, which
/// access path, which kind.
struct CORERelocation: Sendable {
    /// Byte offset of the instruction in its ELF section.
    let instructionOffset: UInt32
    /// Root type in the object's own BTF.
    let typeID: UInt32
    /// Colon-separated indices, e.g. `0:1:3`.
    let access: String
    let kind: COREKind
    /// Place in the object's list of relocations, as libbpf numbers them in messages.
    let number: Int
}

enum CORERecords {
    /// Size of `struct bpf_core_relo`; newer compilers may append fields, older ones never shorter.
    static let minimumRecordSize = 16

    /// The CO-RE records of `.BTF.ext`, by ELF section name; empty when there are none.
    static func read(_ ext: ELFSection, btf: BTF?, fail: Failure) throws(ObjectError) -> [String: [CORERelocation]] {
        let label = ext.label
        let bytes = Array(ext.data)
        guard let header = Record(bytes, at: 0, size: 24) else { throw fail(label, "too short for a BTF.ext header") }
        guard header.u16(0) == BTF.magic else { throw fail(label, "bad magic") }
        let headerLength = UInt64(header.u32(4))
        // Headers shorter than 32 bytes predate CO-RE relocations.
        guard headerLength >= 32, let extended = Record(bytes, at: 0, size: 32) else { return [:] }
        guard extended.u32(28) > 0 else { return [:] }
        guard let btf else { throw fail(label, "has CO-RE relocations but the object has no readable .BTF") }
        guard let area = checkedRange(offset: headerLength + UInt64(extended.u32(24)), count: UInt64(extended.u32(28)),
                                      limit: bytes.count),
              let sizeWord = Record(bytes, at: area.lowerBound, size: 4) else {
            throw fail(label, "CO-RE relocation area lies outside the section")
        }
        let recordSize = Int(sizeWord.u32(0))
        guard recordSize >= minimumRecordSize else {
            throw fail(label, "CO-RE relocation records of \(recordSize) bytes are shorter than \(minimumRecordSize)")
        }
        var result: [String: [CORERelocation]] = [:]
        var number = 0
        var position = area.lowerBound + 4
        while position < area.upperBound {
            guard area.upperBound - position >= 8, let head = Record(bytes, at: position, size: 8),
                  let section = btf.string(at: head.u32(0)) else {
                throw fail(label, "CO-RE relocation section header at byte \(position) is cut off or unnamed")
            }
            let count = Int(head.u32(4))
            position += 8
            guard count <= (area.upperBound - position) / recordSize else {
                throw fail(label, "CO-RE relocations of section '\(section)' run past the area")
            }
            for i in 0 ..< count {
                guard let r = Record(bytes, at: position + i * recordSize, size: minimumRecordSize) else { break }
                guard let access = btf.string(at: r.u32(8)) else {
                    throw fail(label, "CO-RE relocation #\(number) has access string offset \(r.u32(8)) outside the strings")
                }
                guard let kind = COREKind(rawValue: r.u32(12)) else {
                    throw fail(label, "CO-RE relocation #\(number) has unknown kind \(r.u32(12))")
                }
                result[section, default: []].append(CORERelocation(instructionOffset: r.u32(0), typeID: r.u32(4),
                                                                   access: access, kind: kind, number: number))
                number += 1
            }
            position += count * recordSize
        }
        return result
    }
}
