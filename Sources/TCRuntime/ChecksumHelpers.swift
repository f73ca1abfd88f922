import BPFCore
import BPFVM

/// bpf_l3_csum_replace, bpf_l4_csum_replace, bpf_csum_diff. The skb's checksum is never
/// offloaded here (CHECKSUM_NONE, as in BPF_PROG_TEST_RUN), so the pseudo-header flag changes
/// nothing in the packet.
enum ChecksumHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(10, name: "l3_csum_replace", l3Replace)
        table.register(11, name: "l4_csum_replace", l4Replace)
        table.register(28, name: "csum_diff", diff)
    }

    /// The checksum field at `offset`, when the offset is even, in the packet and below 64 KiB.
    /// The run and its skb borrowed: holding them cost two retains per call.
    private static func field(_ call: HelperCall, _ offset: UInt64) -> UnsafeMutableRawPointer? {
        TCRun.borrow(call) { run in
            guard offset <= 0xffff, offset & 1 == 0, Int(offset) + 2 <= run.withSKB({ $0.length }),
                  let base = run.packet.baseAddress else { return nil }
            return base + Int(offset)
        }
    }

    static func l3Replace(_ call: inout HelperCall) -> UInt64 {
        let flags = call.r5
        guard flags & ~TCFlags.headerFieldMask == 0 else { return failed(.EINVAL) }
        guard let p = field(call, UInt64(UInt32(truncatingIfNeeded: call.r2))) else { return failed(.EFAULT) }
        let sum = p.loadUnaligned(as: UInt16.self)
        let result: UInt16
        switch flags & TCFlags.headerFieldMask {
        case 0:
            guard call.r3 == 0 else { return failed(.EINVAL) }
            result = Checksum.replaceByDiff(sum, diff: UInt32(truncatingIfNeeded: call.r4))
        case 2:
            result = Checksum.replace2(sum, from: UInt16(truncatingIfNeeded: call.r3), to: UInt16(truncatingIfNeeded: call.r4))
        case 4:
            result = Checksum.replace4(sum, from: UInt32(truncatingIfNeeded: call.r3), to: UInt32(truncatingIfNeeded: call.r4))
        default:
            return failed(.EINVAL)
        }
        p.storeBytes(of: result, as: UInt16.self)
        return 0
    }

    static func l4Replace(_ call: inout HelperCall) -> UInt64 {
        let flags = call.r5
        let known = TCFlags.markMangled0 | TCFlags.markEnforce | TCFlags.pseudoHeader | TCFlags.headerFieldMask | TCFlags.ipv6
        guard flags & ~known == 0 else { return failed(.EINVAL) }
        guard let p = field(call, UInt64(UInt32(truncatingIfNeeded: call.r2))) else { return failed(.EFAULT) }
        let mangledZero = flags & TCFlags.markMangled0 != 0
        let sum = p.loadUnaligned(as: UInt16.self)
        // A zero UDP checksum means "none": leave it alone unless told otherwise.
        if mangledZero && flags & TCFlags.markEnforce == 0 && sum == 0 { return 0 }
        var result: UInt16
        switch flags & TCFlags.headerFieldMask {
        case 0:
            guard call.r3 == 0 else { return failed(.EINVAL) }
            result = Checksum.replaceByDiff(sum, diff: UInt32(truncatingIfNeeded: call.r4))
        case 2:
            result = Checksum.protoReplace4(sum, from: UInt32(UInt16(truncatingIfNeeded: call.r3)),
                                            to: UInt32(UInt16(truncatingIfNeeded: call.r4)))
        case 4:
            result = Checksum.protoReplace4(sum, from: UInt32(truncatingIfNeeded: call.r3), to: UInt32(truncatingIfNeeded: call.r4))
        default:
            return failed(.EINVAL)
        }
        if mangledZero && result == 0 { result = 0xffff }  // CSUM_MANGLED_0
        p.storeBytes(of: result, as: UInt16.self)
        return 0
    }

    static func diff(_ call: inout HelperCall) -> UInt64 {
        let fromSize = Int(UInt32(truncatingIfNeeded: call.r2))
        let toSize = Int(UInt32(truncatingIfNeeded: call.r4))
        guard let from = call.memory(at: call.r1, count: fromSize, write: false, "csum_diff from"),
              let to = call.memory(at: call.r3, count: toSize, write: false, "csum_diff to") else { return 0 }
        return UInt64(Checksum.diff(from: UnsafeRawBufferPointer(from), to: UnsafeRawBufferPointer(to),
                                    seed: UInt32(truncatingIfNeeded: call.r5)))
    }
}
