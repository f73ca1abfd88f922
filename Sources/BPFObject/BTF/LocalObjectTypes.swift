import BPFCore

/// The types of a program's own BTF that `bpf_obj_new` may allocate: its structs, by type id.
/// The kernel sizes an allocated object from the program's BTF (`bpf_obj_new_impl`'s first
/// argument is a CO-RE local type id); the embedded backend does the same from the object's
/// `.BTF`.
public enum LocalObjectTypes {
    /// Struct id → name and size; empty when `btf` is absent or not BTF (every allocation is
    /// then refused as one of no struct).
    public static func structs(btf: [UInt8]?) -> [UInt32: LocalObjectType] {
        guard let btf, let parsed = try? BTF(bytes: btf, location: ".BTF", fail: Failure(file: "program BTF")) else { return [:] }
        var structs: [UInt32: LocalObjectType] = [:]
        for (index, type) in parsed.types.enumerated() where type.kind == .structure {
            guard let id = UInt32(exactly: index) else { continue }
            structs[id] = LocalObjectType(name: type.name, size: Int(type.sizeOrType))
        }
        return structs
    }
}
