/// Program types this project knows by number (`enum bpf_prog_type`).
public struct ProgramType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let socketFilter = ProgramType(rawValue: 1)
    public static let schedCLS = ProgramType(rawValue: 3)
    public static let schedACT = ProgramType(rawValue: 4)
    public static let xdp = ProgramType(rawValue: 6)
    public var description: String {
        switch self {
        case .socketFilter: "socket_filter"
        case .schedCLS: "sched_cls"
        case .schedACT: "sched_act"
        case .xdp: "xdp"
        default: "type\(rawValue)"
        }
    }
}

/// Attach types (`enum bpf_attach_type`) of the multi-program hooks, plus XDP for refusals.
public struct AttachType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let xdp = AttachType(rawValue: 37)
    /// An XDP program a devmap or cpumap slot runs (`SEC("xdp/devmap")`, `SEC("xdp/cpumap")`).
    public static let xdpDevmap = AttachType(rawValue: 33)
    public static let xdpCpumap = AttachType(rawValue: 35)
    public static let tcxIngress = AttachType(rawValue: 46)
    public static let tcxEgress = AttachType(rawValue: 47)
    public static let netkitPrimary = AttachType(rawValue: 54)
    public static let netkitPeer = AttachType(rawValue: 55)

    /// True for the four attach types a SCHED_CLS program may use with mprog.
    public var isMultiProgHook: Bool { self == .tcxIngress || self == .tcxEgress || isNetkit }
    public var isNetkit: Bool { self == .netkitPrimary || self == .netkitPeer }

    /// The script's hook word: `ingress`, `egress`, `primary`, `peer`.
    public var hookName: String {
        switch self {
        case .tcxIngress: "ingress"
        case .tcxEgress: "egress"
        case .netkitPrimary: "primary"
        case .netkitPeer: "peer"
        default: "attach\(rawValue)"
        }
    }
    public init?(hookName: String) {
        switch hookName {
        case "ingress": self = .tcxIngress
        case "egress": self = .tcxEgress
        case "primary": self = .netkitPrimary
        case "peer": self = .netkitPeer
        default: return nil
        }
    }
    public var description: String { hookName }
}

/// Link types (`enum bpf_link_type`).
public enum LinkType: UInt32, Sendable {
    case tcx = 11
    case netkit = 13
}

/// The attach flags of BPF_PROG_ATTACH / DETACH / LINK_CREATE, bit for bit.
public struct AttachFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let allowOverride = AttachFlags(rawValue: 0x1)
    public static let allowMulti = AttachFlags(rawValue: 0x2)
    public static let replace = AttachFlags(rawValue: 0x4)
    public static let before = AttachFlags(rawValue: 0x8)
    public static let after = AttachFlags(rawValue: 0x10)
    public static let id = AttachFlags(rawValue: 0x20)
    public static let link = AttachFlags(rawValue: 0x2000)
    /// Every bit mprog gives a meaning to; BPF_PROG_ATTACH/DETACH refuse the others.
    public static let multiProgMask: AttachFlags = [.replace, .before, .after, .id, .link]

    public var description: String {
        var words: [String] = []
        var rest = rawValue
        for (flag, word) in [(AttachFlags.before, "before"), (.after, "after"), (.replace, "replace"),
                             (.id, "id"), (.link, "link")] where contains(flag) {
            words.append(word)
            rest &= ~flag.rawValue
        }
        if rest != 0 { words.append("0x" + String(rest, radix: 16)) }
        return words.isEmpty ? "none" : words.joined(separator: ",")
    }
}

/// BPF_LINK_UPDATE's only flag.
public let bpfFReplace: UInt32 = 0x4

/// Return codes of tcx and netkit programs (`TCX_*`, `NETKIT_*`, numerically `TC_ACT_*`).
public enum Verdict: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case next = -1
    case pass = 0
    case drop = 2
    case redirect = 7
    public var description: String {
        switch self {
        case .next: "next"
        case .pass: "pass"
        case .drop: "drop"
        case .redirect: "redirect"
        }
    }
    public init?(word: String) {
        guard let v = Verdict.allCases.first(where: { $0.description == word }) else { return nil }
        self = v
    }
}

/// The mprog limit: 64 array slots, NULL-terminated, so 63 entries.
public let maxProgramsPerHook = 63
