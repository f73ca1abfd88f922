import Glibc
import BPFCore
import BPFVM

/// bpf_skb_load_bytes, bpf_skb_store_bytes, bpf_skb_pull_data (net/core/filter.c).
enum PacketHelpers {
    static let intMax = UInt64(Int32.max)

    static func register(_ table: inout HelperTable) {
        table.register(26, name: "skb_load_bytes", loadBytes)
        table.register(9, name: "skb_store_bytes", storeBytes)
        table.register(39, name: "skb_pull_data", pullData)
    }

    static func loadBytes(_ call: inout HelperCall) -> UInt64 {
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2))
        let count = Int(UInt32(truncatingIfNeeded: call.r4))
        guard let to = call.memory(at: call.r3, count: count, write: true, "skb_load_bytes") else { return 0 }
        // Borrowed, the kernel skb image left fresh: a read changes nothing (a retain per call before).
        return TCRun.borrowKeepingImage(call) { run in
            guard offset <= intMax, Int(offset) + count <= run.skb.length else {
                // The kernel clears the destination when the bytes are not there.
                to.initializeMemory(as: UInt8.self, repeating: 0)
                return failed(.EFAULT)
            }
            if count > 0, let destination = to.baseAddress, let packet = run.packet.baseAddress {
                destination.copyMemory(from: packet + Int(offset), byteCount: count)
            }
            return 0
        }
    }

    static func storeBytes(_ call: inout HelperCall) -> UInt64 {
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2))
        let count = Int(UInt32(truncatingIfNeeded: call.r4))
        let flags = call.r5
        guard let from = call.memory(at: call.r3, count: count, write: false, "skb_store_bytes") else { return 0 }
        guard flags & ~(TCFlags.recomputeChecksum | TCFlags.invalidateHash) == 0 else { return failed(.EINVAL) }
        // Borrowed, the kernel skb image left fresh: the bytes stored are the packet's, which
        // the image only points at (a retain per call, and a refill at the next cast, before).
        return TCRun.borrowKeepingImage(call) { run in
            guard offset <= intMax, Int(offset) + count <= run.skb.length else { return failed(.EFAULT) }
            // memmove: the source may be the packet itself.
            if count > 0, let packet = run.packet.baseAddress, let source = from.baseAddress {
                memmove(packet + Int(offset), source, count)
            }
            // BPF_F_RECOMPUTE_CSUM only adjusts a CHECKSUM_COMPLETE sum, which this skb never has.
            if flags & TCFlags.invalidateHash != 0 {
                run.skb.clearHash()
                run.render()
                run.skbChanged()  // the image shows the hash
            }
            return 0
        }
    }

    /// Makes the first `len` bytes directly accessible: they always are here, so this only
    /// checks the length.
    static func pullData(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            let count = UInt64(UInt32(truncatingIfNeeded: call.r2))
            guard count <= UInt64(skb.length) else { return failed(.ENOMEM) }
            call.packet = call.packetChanged(run)
            return 0
        }
    }
}

/// Flag bits of the tc helpers (include/uapi/linux/bpf.h).
public enum TCFlags {
    public static let recomputeChecksum: UInt64 = 1 << 0
    public static let invalidateHash: UInt64 = 1 << 1
    public static let headerFieldMask: UInt64 = 0xf
    public static let pseudoHeader: UInt64 = 1 << 4
    public static let markMangled0: UInt64 = 1 << 5
    public static let markEnforce: UInt64 = 1 << 6
    public static let ipv6: UInt64 = 1 << 7
    public static let ingress: UInt64 = 1
}
