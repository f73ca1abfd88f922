import BPFCore
import TCX

extension KernelSystem {
    /// Whether this kernel can create netkit devices: one pair is created and deleted in a
    /// throwaway network namespace. False also when no namespace can be made (not root).
    public static let supportsNetkit: Bool = probeNetkit()

    private static func probeNetkit() -> Bool {
        guard let probe = try? WorldThread(name: "tcx-netkit-probe", makeState: { () throws(TCXError) in try RouteNetlink() }) else {
            return false
        }
        defer { probe.stop { _ in } }
        let created: Bool? = try? probe.run { netlink throws(TCXError) in
            let (primary, _) = try Devices.createNetkit(netlink, NetkitSpec(name: "nkprobe0", peer: "nkprobe1"))
            try Devices.delete(netlink, ifindex: primary)
            return true
        }
        return created == true
    }
}
