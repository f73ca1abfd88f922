import Glibc

/// The packet bytes of an skb: one allocation with headroom before the data and tailroom
/// after it, like the kernel's linear skb. Buffers replaced by a reallocation stay allocated
/// until the skb goes away, so pointers a program still holds never reach freed memory (they
/// fall outside the new bounds and fault).
final class PacketBuffer {
    @exclusivity(unchecked) private(set) var storage: UnsafeMutableRawBufferPointer
    /// Index of the first packet byte in `storage`.
    @exclusivity(unchecked) private(set) var head: Int
    @exclusivity(unchecked) private(set) var length: Int
    /// Header positions as indices into `storage`, like the kernel's offsets from skb->head.
    @exclusivity(unchecked) var macHeader: Int
    @exclusivity(unchecked) var networkHeader: Int
    /// The transport header, nil while unset (the kernel's ~0): a test-run skb has none; an
    /// encapsulation with an L4 header sets it (bpf_skb_adjust_room), and it stays where it is
    /// in the buffer when bytes are pushed or pulled in front of it, as the kernel's offset does.
    @exclusivity(unchecked) var transportHeader: Int?
    @exclusivity(unchecked) private var retired: [UnsafeMutableRawBufferPointer] = []
    /// The same skb as the kernel lays it out: headroom and end offset of its head buffer, which
    /// decide when a kernel reallocation fails (PacketBuffer+KernelLayout.swift).
    @exclusivity(unchecked) var kernelHeadroom: Int
    @exclusivity(unchecked) var kernelEnd: Int

    init(bytes: [UInt8], headroom: Int, tailroom: Int = 0) {
        storage = .allocate(byteCount: headroom + bytes.count + tailroom, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        head = headroom
        length = bytes.count
        macHeader = headroom
        networkHeader = headroom
        transportHeader = nil
        kernelHeadroom = headroom
        kernelEnd = KernelLayout.initialEnd(length: bytes.count, headroom: headroom)
        bytes.withUnsafeBytes { storage.baseAddress!.advanced(by: headroom).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Holds `bytes` afresh, as `init(bytes:headroom:)` would: the same layout, the headroom
    /// zeroed. The allocation is kept when it has exactly that size (a datapath thread reuses
    /// one skb for frame after frame), so a reused buffer is indistinguishable from a new one.
    func reset(bytes: [UInt8], headroom: Int) {
        for buffer in retired { buffer.deallocate() }
        if !retired.isEmpty { retired.removeAll() }
        if storage.count != headroom + bytes.count {
            storage.deallocate()
            storage = .allocate(byteCount: headroom + bytes.count, alignment: 16)
        }
        storage.baseAddress.unsafelyUnwrapped.initializeMemory(as: UInt8.self, repeating: 0, count: headroom)
        head = headroom
        length = bytes.count
        macHeader = headroom
        networkHeader = headroom
        transportHeader = nil
        kernelHeadroom = headroom
        kernelEnd = KernelLayout.initialEnd(length: bytes.count, headroom: headroom)
        bytes.withUnsafeBytes { source in
            guard let from = source.baseAddress else { return }
            storage.baseAddress.unsafelyUnwrapped.advanced(by: headroom).copyMemory(from: from, byteCount: source.count)
        }
    }

    deinit {
        storage.deallocate()
        for buffer in retired { buffer.deallocate() }
    }

    var headroom: Int { head }
    var tailroom: Int { storage.count - head - length }

    /// The packet: `[data, data + length)`.
    var data: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[head..<head + length])
    }

    var bytes: [UInt8] { Array(data) }

    /// Makes room: at least `front` bytes of headroom and `back` of tailroom, moving the packet
    /// to a new buffer when the current one is too small.
    func reserve(front: Int, back: Int) {
        guard front > headroom || back > tailroom else { return }
        let newHead = max(front, headroom)
        let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: newHead + length + max(back, tailroom), alignment: 16)
        fresh.initializeMemory(as: UInt8.self, repeating: 0)
        fresh.baseAddress!.advanced(by: newHead).copyMemory(from: storage.baseAddress!.advanced(by: head), byteCount: length)
        let shift = newHead - head
        macHeader += shift
        networkHeader += shift
        if let transport = transportHeader { transportHeader = transport + shift }
        retired.append(storage)
        storage = fresh
        head = newHead
    }

    /// Prepends `count` bytes (uninitialised content is whatever the headroom held).
    func push(_ count: Int) {
        reserve(front: count, back: 0)
        _ = expandKernelHead(for: count)
        kernelHeadroom -= count
        head -= count
        length += count
    }

    /// Drops `count` bytes from the front.
    func pull(_ count: Int) {
        precondition(count <= length)
        kernelHeadroom += count
        head += count
        length -= count
    }

    /// Appends `count` zero bytes.
    func put(_ count: Int) {
        reserve(front: 0, back: count)
        storage.baseAddress!.advanced(by: head + length).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        length += count
    }

    /// Cuts the packet to `newLength` bytes.
    func trim(_ newLength: Int) {
        precondition(newLength <= length)
        length = newLength
    }

    /// Moves `count` bytes from data offset `from` to data offset `to` (overlap allowed).
    func move(from: Int, to: Int, count: Int) {
        guard count > 0 else { return }
        let base = storage.baseAddress!.advanced(by: head)
        memmove(base + to, base + from, count)
    }

    func zero(at offset: Int, count: Int) {
        guard count > 0 else { return }
        (storage.baseAddress! + head + offset).initializeMemory(as: UInt8.self, repeating: 0, count: count)
    }

    /// Header offsets relative to the packet start.
    var macOffset: Int { macHeader - head }
    var networkOffset: Int { networkHeader - head }
    var transportOffset: Int? { transportHeader.map { $0 - head } }
}
