/// XDP's RX metadata kfuncs: they read what a NIC driver keeps beside the frame, so the kernel
/// takes them only in a program bound to a device (BPF_F_XDP_DEV_BOUND_ONLY with an ifindex),
/// which neither backend's test-run loads. Linux 6.18 refuses every other program calling one,
/// reached or not, while it collects the program's kfunc calls, after libbpf resolved them:
/// "metadata kfuncs require device-bound program", EINVAL (corpus/kfunc/xdp_metadata.tcx).
public enum DeviceBoundKfuncs {
    public static let names: Set<String> = [
        "bpf_xdp_metadata_rx_hash", "bpf_xdp_metadata_rx_timestamp", "bpf_xdp_metadata_rx_vlan_tag",
    ]

    /// The verifier's words for a program that calls one.
    public static let refusal = "metadata kfuncs require device-bound program"
}
