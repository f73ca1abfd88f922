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
        case "socket": Kind(type: .socketFilter, expectedAttachType: nil)
        default: nil
        }
    }

    /// A code section that holds programs of a type this project does not run (libbpf's
    /// `kprobe/…`, `iter/…`, `socket`, …): they are listed but refused when asked for.
    static func otherType(of section: String) -> String {
        String(withoutAutoloadMark(section).prefix { $0 != "/" })
    }

    private static func withoutAutoloadMark(_ section: String) -> Substring {
        section.hasPrefix("?") ? section.dropFirst() : Substring(section)
    }

    static let supported = "tc, classifier, action, tcx/ingress, tcx/egress, tc/ingress, tc/egress, netkit/primary, netkit/peer, xdp, socket"
}
