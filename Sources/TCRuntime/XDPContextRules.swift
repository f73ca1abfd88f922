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

    /// The kernel refuses `egress_ifindex` (offset 20) unless the program's expected attach type
    /// is BPF_XDP_DEVMAP; the attach type does not reach the verifier's options here, so it is
    /// allowed for every XDP program (a false accept for the others, never a false refusal).
    static func allows(offset: Int, size: Int, write: Bool) -> Bool {
        guard !write else { return false }
        // No narrow or wide loads: every field is read whole (`__is_valid_xdp_access`).
        return offset >= 0 && offset < Self.size && size == 4 && offset % 4 == 0
    }
}
