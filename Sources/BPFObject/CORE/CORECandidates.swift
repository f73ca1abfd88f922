/// libbpf's candidate search: every target type of a compatible kind whose name, without
/// its `___flavour` suffix, equals the local type's.
enum CORECandidates {
    /// Target type ids by flavour-free name, built once per target (vmlinux has ~100k types).
    typealias Index = [String: [UInt32]]

    static func index(_ target: BTF) -> Index {
        var index: Index = [:]
        for (i, t) in target.types.enumerated() where i > 0 && !t.name.isEmpty {
            index[CORENames.essential(t.name), default: []].append(UInt32(i))
        }
        return index
    }

    static func find(local id: UInt32, in local: BTF, target: BTF, index: Index) throws(COREFailure) -> [UInt32] {
        guard let t = local.type(id) else { throw COREFailure("local type id \(id) is not in the object's BTF") }
        guard !t.name.isEmpty else {
            throw COREFailure("\(local.describe(id)) is anonymous: CO-RE needs a named type to look for")
        }
        return (index[CORENames.essential(t.name)] ?? []).filter { candidate in
            target.type(candidate).map { kindsCompatible(t, $0) } ?? false
        }
    }

    /// Same kind, or both enums (32- and 64-bit enums stand for each other).
    static func kindsCompatible(_ a: BTFType, _ b: BTFType) -> Bool {
        a.kind == b.kind || (a.isAnyEnum && b.isAnyEnum)
    }
}
