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

/// A map of maps' slot an object fills when it is loaded (`values = { [SLOT] = &inner }`);
/// the key is the slot number as a 4-byte integer, for the array and the hash alike, as libbpf.
public struct StaticMapSlot: Hashable, Sendable {
    /// Indices in `ObjectSpec.maps` of the map of maps and of the map that goes in the slot.
    public var map: Int
    public var slot: UInt32
    public var inner: Int

    public init(map: Int, slot: UInt32, inner: Int) {
        self.map = map
        self.slot = slot
        self.inner = inner
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
            if catalog.specs[owner.map].innerMap != nil {
                guard target.section == UInt16(truncatingIfNeeded: section.index),
                      let inner = catalog.definitions[section.index]?[target.value] else {
                    throw fail(location, "\(target.label) in 'values' is not a map of this object")
                }
                guard slot < catalog.specs[owner.map].maxEntries else {
                    throw fail(location, "slot \(slot) of '\(catalog.specs[owner.map].name)' is past its max_entries")
                }
                catalog.staticMaps.append(StaticMapSlot(map: owner.map, slot: slot, inner: inner))
                continue
            }
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
