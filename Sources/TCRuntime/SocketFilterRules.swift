import BPFCore
import BPFVM

/// What a SOCKET_FILTER program may do, as Linux 6.18 allows it: which `__sk_buff` accesses
/// (`sk_filter_is_valid_access` over `bpf_skb_is_valid_access`) and which helpers
/// (`sk_filter_func_proto`; the ids measured by loading a call to each on this machine's kernel).
/// No direct packet access: a socket filter reads the packet with LD_ABS/LD_IND and the load helpers.
enum SocketFilterRules {
    static func allows(offset: Int, size: Int, write: Bool) -> Bool {
        guard offset >= 0, offset < SKBField.size, size > 0, offset % size == 0 else { return false }
        switch offset {
        case SKBField.tcClassid..<SKBField.tcClassid + 4, SKBField.data..<SKBField.napiID,
             SKBField.family..<SKBField.localPortEnd, SKBField.dataMeta..<SKBField.dataMeta + 4,
             SKBField.tstamp..<SKBField.tstamp + 8, SKBField.wireLen..<SKBField.wireLen + 4,
             SKBField.hwtstamp..<SKBField.hwtstamp + 8:
            return false
        default:
            break
        }
        if write && !(SKBField.cb..<SKBField.cbEnd).contains(offset) { return false }
        switch offset {
        case SKBField.cb..<SKBField.cbEnd:
            return offset + size <= SKBField.cbEnd
        case SKBField.flowKeys..<SKBField.flowKeys + 8, SKBField.tstampType..<SKBField.hwtstamp:
            return false
        case SKBField.sk..<SKBField.sk + 8:
            return size == 8
        default:
            return size <= 4
        }
    }

    /// The helpers a socket filter may call.
    static let helpers: Set<Int32> = Set<Int32>([
        1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 42, 46, 47, 55, 68, 80, 87, 88, 89, 93, 94,
        105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138,
        139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178,
        180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211,
    ]).union(kfuncs.map(KfuncTable.helperID))

    /// The kfuncs every program type gets (the kernel's `common_btf_ids`) that the embedded
    /// backend has: number and bit iterators, the RCU read lock, what works on any dynptr, and
    /// the probe reads into a dynptr (measured: corpus/kfunc/probe_dynptr_socket.tcx).
    /// (`bpf_dynptr_from_skb`, which the kernel also gives socket filters, is left to tc.)
    static let kfuncs: [EmbeddedKfunc] = [
        .iterNumNew, .iterNumNext, .iterNumDestroy, .iterBitsNew, .iterBitsNext, .iterBitsDestroy, .rcuReadLock, .rcuReadUnlock, .dynptrSlice, .dynptrSliceReadWrite,
        .dynptrAdjust, .dynptrIsNull, .dynptrIsReadOnly, .dynptrSize, .dynptrClone, .dynptrCopy, .dynptrMemset,
        .probeReadKernelDynptr, .probeReadKernelStrDynptr, .probeReadUserDynptr, .probeReadUserStrDynptr,
    ]
}
