import BPFCore

/// The types of a program's own BTF that `bpf_obj_new` may allocate: its structs, by type id.
/// The kernel sizes an allocated object from the program's BTF (`bpf_obj_new_impl`'s first
/// argument is a CO-RE local type id); the embedded backend does the same from the object's
/// `.BTF`.
public enum LocalObjectTypes {
    /// The members the kernel's btf_parse_fields records in an object.
    static let specialStructs: Set<String> = ["bpf_spin_lock", "bpf_res_spin_lock", "bpf_timer", "bpf_wq", "bpf_list_head",
                                              "bpf_list_node", "bpf_rb_root", "bpf_rb_node", "bpf_refcount", "bpf_task_work"]

    /// Struct id → name and size; empty when `btf` is absent or not BTF (every allocation is
    /// then refused as one of no struct).
    public static func structs(btf: [UInt8]?) -> [UInt32: LocalObjectType] {
        guard let btf, let parsed = try? BTF(bytes: btf, location: ".BTF", fail: Failure(file: "program BTF")) else { return [:] }
        var structs: [UInt32: LocalObjectType] = [:]
        for (index, type) in parsed.types.enumerated() where type.kind == .structure {
            guard let id = UInt32(exactly: index) else { continue }
            let members = type.members.compactMap { parsed.skippingQualifiers($0.type) }.filter { $0.kind == .structure }.map(\.name)
            // A kptr member is recorded too (btf_parse_fields), and is where objects stash others.
            let kptrFields = parsed.kptrFields(inValue: id)
            // A struct with nodes of both graphs and no bpf_refcount makes the kernel refuse the
            // program's BTF (btf_parse_fields): then no type is the program's to allocate.
            if members.contains("bpf_rb_node"), members.contains("bpf_list_node"), !members.contains("bpf_refcount") {
                return [:]
            }
            structs[id] = LocalObjectType(name: type.name, size: Int(type.sizeOrType), refcounted: members.contains("bpf_refcount"),
                                          specialFields: members.contains { specialStructs.contains($0) } || !kptrFields.isEmpty,
                                          kptrFields: kptrFields, spinLockOffset: parsed.spinLockOffset(inValue: id).map(Int.init),
                                          graphRoots: parsed.graphRoots(inValue: id), fields: fields(of: type, in: parsed),
                                          scalarsOnly: parsed.isScalarStruct(type))
        }
        return structs
    }

    /// The special struct members at the top level of `type`, with their offsets and sizes.
    private static func fields(of type: BTFType, in btf: BTF) -> [ObjectField] {
        type.members.indices.compactMap { index in
            guard let member = btf.skippingQualifiers(type.members[index].type), member.kind == .structure,
                  specialStructs.contains(member.name) else { return nil }
            let bits = type.memberBitOffset(index)
            guard bits % 8 == 0 else { return nil }
            return ObjectField(name: member.name, offset: Int(bits / 8), size: Int(member.sizeOrType))
        }
    }
}
