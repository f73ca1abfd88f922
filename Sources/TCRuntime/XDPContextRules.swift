/// Which `struct xdp_md` accesses an XDP program may make, as Linux 6.18 allows them
/// (`xdp_is_valid_access`): 32-bit reads of its six fields, never a write (only offloaded
/// programs may write, and none is offloaded here).
enum XDPContextRules {
    /// `xdp_md.data`: a 32-bit load gives the packet's first byte.
    static let data = 0
    /// `xdp_md.data_end`: one past the packet's last byte.
    static let dataEnd = 4
    /// `xdp_md.data_meta`: the metadata's first byte, at or before `data`.
    static let dataMeta = 8
    /// `sizeof(struct xdp_md)`: data, data_end, data_meta, ingress_ifindex, rx_queue_index,
    /// egress_ifindex.
    static let size = 24

    /// `xdp_md.egress_ifindex`: the device a devmap sends the frame to.
    static let egressIfindex = 20

    /// `devmap`: whether the program's expected attach type is BPF_XDP_DEVMAP, the only
    /// programs the kernel lets read `egress_ifindex` (plain and cpumap programs are refused,
    /// `verifier/xdp_context.tcx`).
    static func allows(offset: Int, size: Int, write: Bool, devmap: Bool) -> Bool {
        guard !write, devmap || offset != egressIfindex else { return false }
        // No narrow or wide loads: every field is read whole (`__is_valid_xdp_access`).
        return offset >= 0 && offset < Self.size && size == 4 && offset % 4 == 0
    }
}
