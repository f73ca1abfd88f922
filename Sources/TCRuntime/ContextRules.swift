/// Which `__sk_buff` accesses a tc (SCHED_CLS) program may make: the kernel's
/// `tc_cls_act_is_valid_access` and `bpf_skb_is_valid_access` on Linux 6.18. The kernel
/// refuses other accesses at load time; the VM meets them at run time and faults.
enum ContextRules {
    /// Whether a load (or store, `write`) of `size` bytes at `offset` is allowed.
    static func allows(offset: Int, size: Int, write: Bool) -> Bool {
        guard offset >= 0, offset < SKBField.size, size > 0, offset % size == 0 else { return false }
        if write && !writable(offset) { return false }
        switch offset {
        case SKBField.data..<SKBField.napiID, SKBField.dataMeta..<SKBField.flowKeys:
            // Only through the 32-bit load the VM turns into a packet pointer.
            return false
        case SKBField.family..<SKBField.localPortEnd, SKBField.flowKeys..<SKBField.flowKeys + 8:
            return false
        case SKBField.tstampType:
            return size == 1 && !write
        case SKBField.tstampType + 1..<SKBField.hwtstamp:
            return false  // padding
        case SKBField.cb..<SKBField.cbEnd:
            return offset + size <= SKBField.cbEnd
        case SKBField.tstamp..<SKBField.tstamp + 8, SKBField.hwtstamp..<SKBField.hwtstamp + 8:
            return size == 8
        case SKBField.sk..<SKBField.sk + 8:
            return size == 8 && !write
        default:
            // Whole 4-byte fields are written whole and read whole or in aligned pieces.
            return write ? size == 4 : size <= 4
        }
    }

    /// Fields a tc program may store to.
    static func writable(_ offset: Int) -> Bool {
        switch offset {
        case SKBField.mark..<SKBField.mark + 4, SKBField.tcIndex..<SKBField.tcIndex + 4,
             SKBField.priority..<SKBField.priority + 4, SKBField.tcClassid..<SKBField.tcClassid + 4,
             SKBField.cb..<SKBField.cbEnd, SKBField.tstamp..<SKBField.tstamp + 8,
             SKBField.queueMapping..<SKBField.queueMapping + 4:
            return true
        default:
            return false
        }
    }
}
