/// How the kernel sizes an skb's head buffer, so the engine fails where the kernel's
/// reallocation fails. A test-run head is kzalloc'd with the data (64-byte aligned), NET_SKB_PAD
/// of headroom and the shared info; growing the headroom (pskb_expand_head through
/// skb_cow_head) asks for the old end plus the missing room rounded up to NET_SKB_PAD, which
/// kmalloc rounds to its size classes — doubling from 1 KiB — and refuses above 4 MiB
/// (KMALLOC_MAX_SIZE with 4 KiB pages). A program that pushes a VLAN tag on every run of a
/// long `repeat` gets ENOMEM there, as on the kernel.
enum KernelLayout {
    static let sharedInfo = 320               // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
    static let smallHead = 640                // SKB_SMALL_HEAD_CACHE_SIZE
    static let largestAllocation = 4 << 20    // KMALLOC_MAX_SIZE

    static func align(_ value: Int, _ to: Int) -> Int { (value + to - 1) / to * to }

    /// The kmalloc size class of a request.
    static func sizeClass(_ request: Int) -> Int {
        if request <= 8 { return 8 }
        for small in [16, 32, 64, 96, 128, 192, 256, 512] where request <= small { return small }
        var size = 1024
        while size < request { size *= 2 }
        return size
    }

    /// The end offset of a fresh head buffer holding `length` bytes after `headroom`.
    static func initialEnd(length: Int, headroom: Int) -> Int {
        sizeClass(align(length, 64) + headroom + sharedInfo) - sharedInfo
    }
}

extension PacketBuffer {
    /// Whether the kernel could give the head `count` bytes of headroom now.
    func kernelCanPush(_ count: Int) -> Bool {
        count <= kernelHeadroom || grownKernelEnd(for: count) != nil
    }

    /// The end offset after pskb_expand_head makes room for `count` bytes, nil when kmalloc
    /// would refuse the size.
    private func grownKernelEnd(for count: Int) -> Int? {
        let missing = KernelLayout.align(count - kernelHeadroom, 64)
        let request = KernelLayout.align(kernelEnd + missing, 64) + KernelLayout.sharedInfo
        let allocation = request <= KernelLayout.smallHead ? KernelLayout.smallHead : KernelLayout.sizeClass(request)
        guard allocation <= KernelLayout.largestAllocation else { return nil }
        return allocation - KernelLayout.sharedInfo
    }

    /// Follows the kernel's expansion for a push of `count` bytes; false where it would fail.
    func expandKernelHead(for count: Int) -> Bool {
        guard count > kernelHeadroom else { return true }
        guard let end = grownKernelEnd(for: count) else { return false }
        kernelHeadroom += KernelLayout.align(count - kernelHeadroom, 64)
        kernelEnd = end
        return true
    }
}
