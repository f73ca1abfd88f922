import BPFCore
import BPFObject
import BPFVM

/// `bpf_lookup_system_key(id)` and `bpf_key_put(bkey)` at run time. The kernel answers ids 0
/// (the builtin keyring), 1 (the secondary) and 2 (the platform one) with a new `struct
/// bpf_key` whose `key` is the id itself and `has_ref` false (no key reference taken), and
/// NULL for every other id (measured: 3, 0xffff, 2^32, -1, -2); put frees the handle. Here
/// each id has one read-only image laid out by the target BTF (a new handle per lookup is
/// not observable but by comparing two: two ids give two images, as two kernel handles
/// differ); without a target BTF the handle names no memory (its fields read 0).
enum SystemKeyKfuncs {
    /// VERIFY_USE_PLATFORM_KEYRING: the last system keyring id.
    static let lastID: UInt64 = 2
    /// Handles without a layout: a tag, then the id.
    static let tag: UInt64 = 0x00ba_dc62_0000_0000

    /// One image per system keyring, made once.
    static let images: [KernelTaskImages.Block]? = KernelTypeTarget.load().flatMap { types in
        guard let id = types.structureID(named: "bpf_key"), let size = types.size(of: id), size >= 8, size <= 64,
              let member = types.member("key", of: id), member.bitfieldSize == 0, member.bitOffset % 8 == 0,
              member.size == 8, member.bitOffset / 8 + 8 <= size else { return nil }
        return (0 ... lastID).map { keyring in
            let image = KernelTaskImages.Block(size)
            image.store(keyring, at: member.bitOffset / 8)
            return image
        }
    }

    static func register(_ table: inout KfuncTable) {
        table.register(.lookupSystemKey) { call in
            let id = call.r1
            guard id <= lastID else { return 0 }
            guard let image = images?[Int(id)] else { return tag | id }
            TCRun.from(call).grant(MemoryRegion(image.memory, writable: false))
            return image.address
        }
        table.register(.keyPut) { _ in 0 }
    }
}
