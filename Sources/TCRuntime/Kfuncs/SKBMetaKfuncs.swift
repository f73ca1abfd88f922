import BPFCore
import BPFVM

/// `bpf_dynptr_from_skb_meta` (net/core/filter.c, Linux 6.18): a dynptr over the skb's metadata,
/// the bytes from `data_meta` to `data` that an XDP program reserved with `bpf_xdp_adjust_meta`.
///
/// A tc test-run's skb carries none (the kernel's `data_meta` equals `data` there, and the
/// dynptr's size is 0), and on the embedded backend no packet does (no XDP runs before tc), so
/// the dynptr is always empty: every read, write, slice, copy or memset of a byte is E2BIG or
/// NULL through the common dynptr paths, as on the kernel. It is writable (an skb here is
/// never a clone) and, like an skb dynptr, names the context, not bytes.
enum SKBMetaKfuncs {
    /// BPF_DYNPTR_TYPE_SKB_META.
    static let type: UInt32 = 5

    static func register(_ table: inout KfuncTable) {
        table.register(.dynptrFromSKBMeta, fromSKBMeta)
    }

    /// Flags must be 0 (else EINVAL and a NULL dynptr).
    static func fromSKBMeta(_ call: inout HelperCall) -> UInt64 {
        guard call.r2 == 0 else {
            _ = DynptrHelpers.store(&call, call.r3, nil)
            return failed(.EINVAL)
        }
        let metadataLength: UInt32 = 0
        let ptr = DynptrHelpers.Dynptr(data: TCRun.from(call).contextLow, word: metadataLength | type << DynptrHelpers.typeShift, offset: 0)
        _ = DynptrHelpers.store(&call, call.r3, ptr)
        return 0
    }
}
