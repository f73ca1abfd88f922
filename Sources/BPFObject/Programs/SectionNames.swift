import BPFCore

/// libbpf's section-name conventions for the program types this project runs.
enum SectionNames {
    struct Kind: Equatable {
        let type: ProgramType
        let expectedAttachType: AttachType?
    }

    /// Exact names only, as libbpf matches these definitions. A leading `?` (libbpf's "not
    /// loaded unless asked for") names the same type: programs here load only when asked for.
    static func kind(of section: String) -> Kind? {
        switch withoutAutoloadMark(section) {
        case "tc", "classifier": Kind(type: .schedCLS, expectedAttachType: nil)
        // tc's `act_bpf` actions: the same context and helpers as a classifier, their own type.
        case "action": Kind(type: .schedACT, expectedAttachType: nil)
        case "tcx/ingress", "tc/ingress": Kind(type: .schedCLS, expectedAttachType: .tcxIngress)
        case "tcx/egress", "tc/egress": Kind(type: .schedCLS, expectedAttachType: .tcxEgress)
        case "netkit/primary": Kind(type: .schedCLS, expectedAttachType: .netkitPrimary)
        case "netkit/peer": Kind(type: .schedCLS, expectedAttachType: .netkitPeer)
        case "xdp": Kind(type: .xdp, expectedAttachType: .xdp)
        case "xdp/devmap": Kind(type: .xdp, expectedAttachType: .xdpDevmap)
        case "xdp/cpumap": Kind(type: .xdp, expectedAttachType: .xdpCpumap)
        case "socket": Kind(type: .socketFilter, expectedAttachType: nil)
        default: nil
        }
    }

    /// A code section that holds programs of a type this project does not run (libbpf's
    /// `kprobe/…`, `iter/…`, `socket`, …): they are listed but refused when asked for.
    static func otherType(of section: String) -> String {
        String(withoutAutoloadMark(section).prefix { $0 != "/" })
    }

    /// Why a section of another type is refused. `classifier/stats` or `tc_packet_hook0` (what
    /// cilium/ebpf and aya accept: they match by prefix) is no libbpf section definition, so
    /// libbpf leaves the program without a type ("missing BPF prog type", EINVAL).
    static func refusal(of section: String) -> String {
        let name = withoutAutoloadMark(section)
        let exact = ["classifier", "action", "socket", "tc"]
        if let prefix = exact.first(where: { name.hasPrefix($0) && name != $0 }) {
            return "section '\(name)' is no libbpf section definition: libbpf takes '\(prefix)' only as the whole name "
                + "(cilium/ebpf and aya match by prefix), so the program has no type; name the section '\(prefix)'"
        }
        return "is a program of type '\(otherType(of: section))', not a tc program: only \(supported) sections can be loaded"
    }

    private static func withoutAutoloadMark(_ section: String) -> Substring {
        section.hasPrefix("?") ? section.dropFirst() : Substring(section)
    }

    static let supported = "tc, classifier, action, tcx/ingress, tcx/egress, tc/ingress, tc/egress, netkit/primary, netkit/peer, xdp, socket"
}
