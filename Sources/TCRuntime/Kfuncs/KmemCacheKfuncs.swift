import BPFCore
import BPFObject
import BPFVM

/// `bpf_get_kmem_cache(addr)`: the slab cache an address's object came from, NULL for an
/// address no slab holds. Measured on Linux 6.18 (corpus/kfunc/kmem_cache.c) for what a tc
/// test-run's program holds: the packet is in the head buffer the test-run allocated with
/// kzalloc (headroom 64 + the packet + the shared info's 320 bytes: `kmalloc-512` for a
/// 60-byte packet, `kmalloc-2k` for 1516), the context is the skb (`skbuff_head_cache`); the
/// stack (a vmalloc'd kernel stack), globals (mmapable arrays), 0, low, user and vsyscall
/// addresses have none. Here those answers are made from what the run knows: the packet's
/// current length, and the skb's size from the target BTF (`skbuff_head_cache` is cache-line
/// aligned). Every other address answers NULL, where the kernel names a cache for some:
/// values of maps that are not mmapable (`kmalloc-cg-*`), task images (`task_struct`),
/// objects from `bpf_obj_new` (docs/tc-runtime.md).
///
/// The answer is a read-only `struct kmem_cache` image holding `name`, `size` and
/// `object_size`; every other member reads 0.
enum KmemCacheKfuncs {
    /// NET_SKB_PAD + NET_IP_ALIGN and SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64:
    /// what the test-run's head buffer holds besides the packet.
    static let headroom = 64, tailroom = 320
    /// KMALLOC_MAX_CACHE_SIZE: larger buffers come from the page allocator, not a slab.
    static let largestKmalloc = 8192

    struct Layout: Sendable {
        let size: Int, name: Int, cacheSize: Int, objectSize: Int
        let skbSize: Int
    }

    static let layout: Layout? = KernelTypeTarget.load().flatMap { types in
        func member(_ name: String, of id: UInt32, bytes: Int, in size: Int) -> Int? {
            guard let found = types.member(name, of: id), found.bitfieldSize == 0, found.bitOffset % 8 == 0,
                  found.size == bytes, found.bitOffset / 8 + bytes <= size else { return nil }
            return found.bitOffset / 8
        }
        guard let id = types.structureID(named: "kmem_cache"), let size = types.size(of: id), size <= 1 << 16,
              let name = member("name", of: id, bytes: 8, in: size), let cacheSize = member("size", of: id, bytes: 4, in: size),
              let objectSize = member("object_size", of: id, bytes: 4, in: size),
              let skb = types.structureID(named: "sk_buff"), let skbSize = types.size(of: skb) else { return nil }
        return Layout(size: size, name: name, cacheSize: cacheSize, objectSize: objectSize, skbSize: skbSize)
    }

    /// A cache's image and its name's bytes, made once per cache.
    final class Image: Sendable {
        let cache: KernelTaskImages.Block, name: KernelTaskImages.Block
        init(_ layout: Layout, name text: String, size: Int, objectSize: Int) {
            let bytes = Array(text.utf8) + [0]
            cache = KernelTaskImages.Block(layout.size)
            name = KernelTaskImages.Block(bytes.count)
            for (i, byte) in bytes.enumerated() { name.memory[i] = byte }
            cache.store(name.address, at: layout.name)
            cache.memory.storeBytes(of: UInt32(truncatingIfNeeded: size), toByteOffset: layout.cacheSize, as: UInt32.self)
            cache.memory.storeBytes(of: UInt32(truncatingIfNeeded: objectSize), toByteOffset: layout.objectSize, as: UInt32.self)
        }
    }

    /// The kmalloc caches a test-run head buffer can come from, and the skb's.
    static let images: [String: Image] = layout.map { layout in
        var made: [String: Image] = [:]
        for size in [512, 1024, 2048, 4096, 8192] {
            let name = "kmalloc-" + (size < 1024 ? "\(size)" : "\(size / 1024)k")
            made[name] = Image(layout, name: name, size: size, objectSize: size)
        }
        let aligned = (layout.skbSize + 63) & ~63
        made["skbuff_head_cache"] = Image(layout, name: "skbuff_head_cache", size: aligned, objectSize: layout.skbSize)
        return made
    } ?? [:]

    /// The kmalloc size class of a `bytes` allocation at least 512 bytes (the head buffer's
    /// least), nil past the largest.
    static func kmallocClass(_ bytes: Int) -> Int? {
        guard bytes <= largestKmalloc else { return nil }
        var size = 512
        while size < bytes { size *= 2 }
        return size
    }

    /// The cache the kernel names for `address`, or nil.
    static func cacheName(_ call: HelperCall, _ address: UInt64) -> String? {
        let memory = call.memory
        if address &- memory.contextLow < memory.contextCount { return "skbuff_head_cache" }
        if address &- memory.packetLow < memory.packetCount,
           let size = kmallocClass(headroom + Int(memory.packetCount) + tailroom) {
            return "kmalloc-" + (size < 1024 ? "\(size)" : "\(size / 1024)k")
        }
        return nil
    }

    static func register(_ table: inout KfuncTable) {
        table.register(.getKmemCache) { call in
            guard let name = cacheName(call, call.r1), let image = images[name] else { return 0 }
            let run = TCRun.from(call)
            run.grant(MemoryRegion(image.cache.memory, writable: false))
            run.grant(MemoryRegion(image.name.memory, writable: false))
            return image.cache.address
        }
        // It fires the bpf_trigger_tp tracepoint (nothing here listens) and answers the nonce,
        // an int: the upper half of r0 is 0 as the kernel's x86-64 code leaves it.
        table.register(.modifyReturnTestTP) { call in UInt64(UInt32(truncatingIfNeeded: call.r1)) }
    }
}
