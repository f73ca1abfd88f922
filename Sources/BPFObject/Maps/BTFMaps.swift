import BPFCore

/// Maps defined as variables of the `.maps` section, described by their BTF struct:
/// `__uint(field, n)` is a pointer to an array of n elements, `__type(field, T)` a pointer to T.
enum BTFMaps {
    static func collect(_ elf: ELFFile, _ symbols: SymbolTable, btf: BTF?, into catalog: inout MapCatalog, fail: Failure) throws(ObjectError) {
        guard let section = elf.section(named: ".maps") else { return }
        guard let btf else { throw fail(section.label, "BTF-defined maps need a valid .BTF section") }
        guard let datasec = btf.dataSection(named: ".maps") else {
            throw fail(section.label, "no BTF data section describes .maps")
        }
        let placed = symbols.defined(in: section.index)
        // Maps with static `values`: (map index, where its values start in the section).
        var initialValues: [(map: Int, start: UInt64)] = []
        for entry in datasec.sectionEntries {
            guard let variable = btf.type(entry.type), variable.kind == .variable else {
                throw fail(section.label, "BTF entry of type [\(entry.type)] is not a variable")
            }
            let location = "map '\(variable.name)'"
            guard variable.linkage != 2 else { throw fail(location, "extern map definitions are not supported") }
            guard let definition = btf.skippingQualifiers(variable.sizeOrType), definition.kind == .structure else {
                throw fail(location, "definition is not a struct")
            }
            var (spec, valuesOffset) = try parse(definition, btf: btf, name: variable.name, fail: fail)
            spec.name = variable.name
            // Clang may leave DATASEC offsets zero in objects; the symbol has the real one.
            let symbol = placed.first { $0.name == variable.name }
            let offset = symbol?.value ?? UInt64(entry.offset)
            let mapIndex = catalog.specs.count
            try catalog.addDefinition(spec, section: section.index, offset: offset, fail: fail)
            if let valuesOffset { initialValues.append((mapIndex, offset + valuesOffset)) }
        }
        try StaticSlots.collect(elf, symbols, section: section, maps: initialValues, into: &catalog, fail: fail)
    }

    /// The map's shape, and the byte offset of its `values` array when it has one.
    /// `inner` is true for the definition of a map of maps' inner map, which cannot hold maps itself.
    private static func parse(_ definition: BTFType, btf: BTF, name: String, inner: Bool = false,
                              fail: Failure) throws(ObjectError) -> (MapSpec, UInt64?) {
        let location = "map '\(name)'"
        var type: UInt32?, keySize: UInt32?, valueSize: UInt32?
        var maxEntries: UInt32 = 0, flags: UInt32 = 0, pinning: UInt32 = 0
        var keyTypeID: UInt32 = 0, valueTypeID: UInt32 = 0
        var valuesOffset: UInt64?
        var mapExtra: UInt64 = 0
        var innerMap: MapSpec?
        for member in definition.members {
            func number() throws(ObjectError) -> UInt32 {
                guard let pointer = btf.skippingQualifiers(member.type), pointer.kind == .pointer,
                      let array = btf.type(pointer.sizeOrType), array.kind == .array else {
                    throw fail(location, "field '\(member.name)' is not an __uint (pointer to array)")
                }
                return array.arrayCount
            }
            func typeSize(_ id: inout UInt32) throws(ObjectError) -> UInt32 {
                guard let pointer = btf.skippingQualifiers(member.type), pointer.kind == .pointer else {
                    throw fail(location, "field '\(member.name)' is not a __type (pointer to type)")
                }
                guard let size = btf.size(of: pointer.sizeOrType) else {
                    throw fail(location, "the size of field '\(member.name)''s type cannot be resolved")
                }
                id = pointer.sizeOrType
                return size
            }
            func agree(_ old: UInt32?, _ new: UInt32, _ what: String) throws(ObjectError) -> UInt32 {
                if let old, old != new { throw fail(location, "\(what) size \(new) conflicts with \(old)") }
                return new
            }
            switch member.name {
            case "type": type = try number()
            case "max_entries": maxEntries = try number()
            case "map_flags": flags = try number()
            case "key_size": keySize = try agree(keySize, try number(), "key")
            case "value_size": valueSize = try agree(valueSize, try number(), "value")
            case "key": keySize = try agree(keySize, try typeSize(&keyTypeID), "key")
            case "value": valueSize = try agree(valueSize, try typeSize(&valueTypeID), "value")
            case "pinning":
                pinning = try number()
                guard pinning <= 1 else { throw fail(location, "pinning \(pinning) is not LIBBPF_PIN_NONE (0) or LIBBPF_PIN_BY_NAME (1)") }
            case "map_extra": mapExtra = UInt64(try number())
            case "numa_node":
                guard try number() == 0 else { throw fail(location, "field '\(member.name)' is not supported") }
            case "values":
                // A flexible array of pointers, filled by relocations (programs for a prog array).
                guard member.offset % 8 == 0 else { throw fail(location, "field 'values' is not byte aligned") }
                valuesOffset = UInt64(member.offset / 8)
                // Its values are program (or map) descriptors: 4 bytes, as libbpf sets.
                valueSize = try agree(valueSize, 4, "value")
                // `__array(values, struct inner)`: pointers to a struct that defines the inner maps.
                if let array = btf.skippingQualifiers(member.type), array.kind == .array,
                   let pointer = btf.skippingQualifiers(array.arrayElement), pointer.kind == .pointer,
                   let target = btf.skippingQualifiers(pointer.sizeOrType), target.kind == .structure {
                    guard !inner else { throw fail(location, "an inner map definition cannot hold maps itself") }
                    innerMap = try parse(target, btf: btf, name: name + ".inner", inner: true, fail: fail).0
                }
            default:
                throw fail(location, "unknown field '\(member.name)'")
            }
        }
        guard let type else { throw fail(location, "has no 'type' field") }
        let mapType = MapType(rawValue: type)
        let ofMaps = mapType == .arrayOfMaps || mapType == .hashOfMaps
        if ofMaps, innerMap == nil {
            throw fail(location, "a \(mapType) needs its inner map's definition: __array(values, struct ...)")
        }
        if innerMap != nil, !ofMaps {
            throw fail(location, "'values' holds map definitions, but a \(mapType) holds no maps")
        }
        if valuesOffset != nil, mapType != .progArray, !ofMaps {
            throw fail(location, "initial 'values' of a \(mapType) map are not supported (only prog arrays and maps of maps)")
        }
        var spec = MapSpec(name: name, type: MapType(rawValue: type), keySize: keySize ?? 0, valueSize: valueSize ?? 0,
                           maxEntries: maxEntries, flags: flags, pinning: pinning)
        spec.btfKeyTypeID = keyTypeID
        spec.btfValueTypeID = valueTypeID
        // The kernel finds a map value's special fields inside its struct members too.
        spec.spinLockOffset = btf.spinLockOffset(inValue: valueTypeID, nested: true)
        spec.timerOffset = btf.timerOffset(inValue: valueTypeID, nested: true)
        spec.workqueueOffset = btf.workqueueOffset(inValue: valueTypeID)
        spec.kptrFields = btf.kptrFields(inValue: valueTypeID, nested: true)
        spec.graphRoots = btf.graphRoots(inValue: valueTypeID)
        spec.mapExtra = mapExtra
        spec.innerMap = innerMap
        return (spec, valuesOffset)
    }
}
