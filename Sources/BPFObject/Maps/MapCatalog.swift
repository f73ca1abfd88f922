import BPFCore

/// Every map of an object in libbpf's order (legacy `maps`, then `.maps`, then global data),
/// and where relocations find them.
struct MapCatalog {
    var specs: [MapSpec] = []
    /// Map definitions placed as variables: section index -> offset in it -> map index.
    var definitions: [Int: [UInt64: Int]] = [:]
    /// Global data sections: section index -> map index.
    var globalData: [Int: Int] = [:]
    /// Prog array slots that `.maps` fills statically (`values = { [i] = &prog }`).
    var staticPrograms: [StaticProgramSlot] = []
    /// Map of maps slots that `.maps` fills statically (`values = { [i] = &map }`).
    var staticMaps: [StaticMapSlot] = []

    mutating func addDefinition(_ spec: MapSpec, section: Int, offset: UInt64, fail: Failure) throws(ObjectError) {
        guard definitions[section]?[offset] == nil else {
            throw fail("map '\(spec.name)'", "shares offset \(offset) with another map")
        }
        definitions[section, default: [:]][offset] = specs.count
        specs.append(spec)
    }

    mutating func addGlobalData(_ spec: MapSpec, section: Int) {
        globalData[section] = specs.count
        specs.append(spec)
    }
}
