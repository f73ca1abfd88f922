import BPFCore
import BPFVM

/// bpf_snprintf_btf (149), as far as Linux 6.18's bpf_btf_printf_prepare answers it: unknown
/// flags (BTF_F_ALL is COMPACT, NONAME, PTR_RAW, ZERO), a `struct btf_ptr` of another size and a
/// type id of 0 are EINVAL; an id of 2^31 or more is ENOENT. Showing an object by its kernel type
/// is not done here: a call that gets that far stops the program.
enum SnprintfBTFHelper {
    static func register(_ table: inout HelperTable) {
        table.register(149, name: "snprintf_btf", show)
    }

    static let knownFlags: UInt64 = 0xf
    /// `struct btf_ptr`: the object's address, its type id, flags.
    static let pointerSize: UInt64 = 16

    /// r1 text, r2 its size, r3 the btf_ptr, r4 the btf_ptr's size, r5 flags.
    static func show(_ call: inout HelperCall) -> UInt64 {
        guard call.r5 & ~knownFlags == 0, call.r4 == pointerSize else { return failed(.EINVAL) }
        guard let pointer = call.memory(at: call.r3, count: Int(pointerSize), write: false, "snprintf_btf btf_ptr") else { return 0 }
        let typeID = pointer.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        guard typeID != 0 else { return failed(.EINVAL) }
        // The id is unsigned in the struct and signed once read: one past 2^31 names no type.
        guard Int32(bitPattern: typeID) > 0 else { return failed(.ENOENT) }
        call.failure = "snprintf_btf of kernel type \(typeID): showing kernel objects by their BTF is not done here"
        return 0
    }
}
