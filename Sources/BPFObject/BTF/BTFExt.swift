/// The `.BTF.ext` header: only to find CO-RE relocations, which the loader refuses.
enum BTFExt {
    /// The number of bytes of CO-RE relocation records, 0 when there are none.
    static func coreRelocationBytes(_ section: ELFSection, fail: Failure) throws(ObjectError) -> UInt32 {
        let bytes = Array(section.data)
        guard let header = Record(bytes, at: 0, size: 24) else { throw fail(section.label, "too short for a BTF.ext header") }
        guard header.u16(0) == BTF.magic else { throw fail(section.label, "bad magic") }
        let headerLength = Int(header.u32(4))
        // Headers shorter than 32 bytes predate CO-RE relocations.
        guard headerLength >= 32 else { return 0 }
        guard let extended = Record(bytes, at: 0, size: 32) else { throw fail(section.label, "header runs past the section") }
        return extended.u32(28)
    }
}
