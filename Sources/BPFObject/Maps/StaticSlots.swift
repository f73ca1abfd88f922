/// A prog array slot an object fills when it is loaded, as libbpf does for
/// `values = { [SLOT] = &program }` in a `.maps` definition.
public struct StaticProgramSlot: Hashable, Sendable {
    /// Index of the prog array in `ObjectSpec.maps`.
    public var map: Int
    public var slot: UInt32
    /// The function name of the program that goes there.
    public var program: String

    public init(map: Int, slot: UInt32, program: String) {
        self.map = map
        self.slot = slot
        self.program = program
    }
}

/// Reads the relocations of `.maps` that fill the `values` arrays of map definitions: each is
/// a 64-bit pointer slot naming a program.
enum StaticSlots {
    static func collect(_ elf: ELFFile, _ symbols: SymbolTable, section: ELFSection,
                        maps: [(map: Int, start: UInt64)], into catalog: inout MapCatalog,
                        fail: Failure) throws(ObjectError) {
        let relocations = try elf.relocations(for: section, symbols: symbols, fail: fail)
        for (offset, relocation) in relocations.sorted(by: { $0.key < $1.key }) {
            let location = "\(section.label), offset \(offset)"
            // The map whose values start last at or before the relocation holds it.
            guard let owner = maps.filter({ $0.start <= offset }).max(by: { $0.start < $1.start }) else {
                throw fail(location, "relocation against \(relocation.symbol.label) is not in a map's 'values'")
            }
            guard (offset - owner.start) % 8 == 0, let slot = UInt32(exactly: (offset - owner.start) / 8) else {
                throw fail(location, "relocation is not on a pointer of 'values'")
            }
            let target = relocation.symbol
            guard target.type == ELFSymbol.typeFunc, target.section != ELFSymbol.undefined,
                  let targetSection = elf.sections.first(where: { $0.index == Int(target.section) }),
                  SectionNames.kind(of: targetSection.name) != nil else {
                throw fail(location, "\(target.label) in 'values' is not a program of a tc or xdp section")
            }
            guard slot < catalog.specs[owner.map].maxEntries else {
                throw fail(location, "slot \(slot) of '\(catalog.specs[owner.map].name)' is past its max_entries")
            }
            catalog.staticPrograms.append(StaticProgramSlot(map: owner.map, slot: slot, program: target.name))
        }
    }
}
