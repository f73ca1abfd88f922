import BPFCore
import BPFObject
import BPFVM

/// bpf_snprintf_btf (149) as Linux 6.18 answers it: unknown flags (BTF_F_ALL is COMPACT,
/// NONAME, PTR_RAW, ZERO), a `struct btf_ptr` of another size and a type id of 0 are EINVAL;
/// an id of 2^31 or more, or past vmlinux's types, is ENOENT. Otherwise the text the kernel's
/// btf_show makes of the object (`KernelObjectText`), cut to the buffer with its NUL, and the
/// whole text's length. The type id is always vmlinux's: the btf_ptr's own flags and any
/// module BTF play no part.
enum SnprintfBTFHelper {
    static func register(_ table: inout HelperTable) {
        table.register(149, name: "snprintf_btf", show)
    }

    /// `struct btf_ptr`: the object's address, its type id, flags.
    static let pointerSize: UInt64 = 16
    /// Where the kernel's copy_from_kernel_nofault stops taking addresses as its own
    /// (TASK_SIZE_MAX plus a page on x86-64): below, it answers ERANGE without reading.
    static let userAddressEnd: UInt64 = 0x8000_0000_0000

    static let types = KernelObjectText.load()

    /// `%p` hashes pointers with a key drawn at boot, which no one outside the kernel knows:
    /// here a key drawn per process stands in, so a pointer hashes alike within a run only.
    static let pointerKey = UInt64.random(in: .min ... .max)
    static func hash(_ pointer: UInt64) -> UInt64 {
        var mixer = SplitMix64(seed: pointer ^ pointerKey)
        return mixer.next() & 0xffff_ffff
    }

    /// r1 text, r2 its size, r3 the btf_ptr, r4 the btf_ptr's size, r5 flags.
    static func show(_ call: inout HelperCall) -> UInt64 {
        guard call.r5 & ~BTFShowFlags.known.rawValue == 0, call.r4 == pointerSize else { return failed(.EINVAL) }
        guard let pointer = call.memory(at: call.r3, count: Int(pointerSize), write: false, "snprintf_btf btf_ptr") else { return 0 }
        let address = pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let typeID = pointer.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        guard typeID != 0 else { return failed(.EINVAL) }
        // The id is unsigned in the struct and signed once read: one past 2^31 names no type.
        guard Int32(bitPattern: typeID) > 0 else { return failed(.ENOENT) }
        guard let types else {
            call.failure = "snprintf_btf: no kernel BTF to show type \(typeID) by (/sys/kernel/btf/vmlinux, or TCX_CORE_BTF)"
            return 0
        }
        let size = Int(call.r2 & 0xffff_ffff)
        let flags = BTFShowFlags(rawValue: call.r5)
        switch types.need(typeID) {
        case .noType:
            return failed(.ENOENT)
        case .unsized:
            return failed(.EINVAL)
        case .kernelFault(let why):
            call.failure = "snprintf_btf of kernel type \(typeID): \(why)"
            return 0
        case .nothing:
            return write(types.show(typeID, object: UnsafeRawBufferPointer(start: nil, count: 0), flags: flags,
                                    capacity: size, hashPointer: hash), &call)
        case .bytes(let count):
            if let object = call.bytes(at: address, count: count, write: false) {
                return write(types.show(typeID, object: UnsafeRawBufferPointer(object), flags: flags,
                                        capacity: size, hashPointer: hash), &call)
            }
            if call.bytes(at: address, count: 1, write: false) == nil, address < userAddressEnd {
                return failed(.ERANGE)
            }
            call.failure = "snprintf_btf of kernel type \(typeID): its \(count) bytes at 0x\(String(address, radix: 16)) "
                + "are not all memory this program can read (the kernel would read on into its own)"
            return 0
        }
    }

    private static func write(_ shown: KernelObjectText.Shown, _ call: inout HelperCall) -> UInt64 {
        guard !shown.written.isEmpty else { return UInt64(shown.length) }
        guard let text = call.memory(at: call.r1, count: shown.written.count, write: true, "snprintf_btf text") else { return 0 }
        text.copyBytes(from: shown.written)
        return UInt64(shown.length)
    }
}
