/// Which `__sk_buff` accesses a tc (SCHED_CLS) program may make: the kernel's
/// `tc_cls_act_is_valid_access` and `bpf_skb_is_valid_access` on Linux 6.18. The kernel
/// refuses other accesses at load time; the VM meets them at run time and faults.
enum ContextRules {
    /// Whether a load (or store, `write`) of `size` bytes at `offset` is allowed: the rules
    /// below, answered from a table made once, since a run asks for every guarded access.
    @inline(__always)
    static func allows(offset: Int, size: Int, write: Bool) -> Bool {
        guard offset >= 0, offset < SKBField.size, let width = widthIndex(size) else { return false }
        return answers[(offset &* 4 &+ width) &* 2 &+ (write ? 1 : 0)]
    }

    /// 1, 2, 4 and 8 bytes as 0 ... 3; nil for any other size.
    @inline(__always)
    private static func widthIndex(_ size: Int) -> Int? {
        switch size {
        case 1: 0
        case 2: 1
        case 4: 2
        case 8: 3
        default: nil
        }
    }

    /// Every offset, width and direction, by `(offset * 4 + width) * 2 + write`.
    private static let answers: [Bool] = (0 ..< SKBField.size).flatMap { offset in
        [1, 2, 4, 8].flatMap { size in [false, true].map { write in rule(offset: offset, size: size, write: write) } }
    }

    /// The kernel's rule for one access.
    static func rule(offset: Int, size: Int, write: Bool) -> Bool {
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
