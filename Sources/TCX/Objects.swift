import BPFCore

/// A program to load: raw instructions (8 bytes each, little-endian) and its metadata.
public struct ProgramSpec: Hashable, Sendable {
    public var name: String
    public var type: ProgramType
    public var expectedAttachType: AttachType?
    public var instructions: [UInt8]
    public var license: String
    /// The object's `.BTF` (as BPF_BTF_LOAD takes it) and the program's function records in
    /// it. The kernel backend passes them to BPF_PROG_LOAD when `functionInfo` is not empty
    /// (programs with callbacks such as bpf_loop need them); the embedded backend ignores both.
    public var btf: [UInt8]?
    public var functionInfo: [FunctionInfo]
    /// What the BTF says of the program's global functions, which the embedded verifier checks
    /// as the kernel does (the kernel backend lets the kernel read them from `btf`).
    public var globalFunctions: [GlobalFunction] = []
    /// Whether each function (by first slot) returns a scalar, from `functionInfo`; nil without it.
    public var functionReturnsScalar: [UInt32: Bool]?
    public init(name: String, type: ProgramType = .schedCLS, expectedAttachType: AttachType? = nil,
                instructions: [UInt8], license: String = "GPL",
                btf: [UInt8]? = nil, functionInfo: [FunctionInfo] = []) {
        self.name = name
        self.type = type
        self.expectedAttachType = expectedAttachType
        self.instructions = instructions
        self.license = license
        self.btf = btf
        self.functionInfo = functionInfo
    }

    /// `r0 = value; exit` — the script's `prog NAME ret VERDICT`.
    public static func returning(_ value: Int32, name: String) -> ProgramSpec {
        // mov64 r0, imm (opcode 0xb7); exit (0x95).
        let imm = UInt32(bitPattern: value)
        let mov: [UInt8] = [0xb7, 0x00, 0x00, 0x00,
                            UInt8(imm & 0xff), UInt8((imm >> 8) & 0xff),
                            UInt8((imm >> 16) & 0xff), UInt8(imm >> 24)]
        let exit: [UInt8] = [0x95, 0, 0, 0, 0, 0, 0, 0]
        return ProgramSpec(name: name, instructions: mov + exit)
    }
}

/// BPF_OBJ_GET_INFO_BY_FD on a program (the fields this project uses).
public struct ProgramInfo: Hashable, Sendable {
    public var id: UInt32
    public var type: ProgramType
    public var name: String
    public init(id: UInt32, type: ProgramType, name: String) {
        self.id = id
        self.type = type
        self.name = name
    }
}

/// BPF_OBJ_GET_INFO_BY_FD on a tcx or netkit link. `ifindex` 0 means defunct (detached, or
/// its device is gone).
public struct LinkInfo: Hashable, Sendable {
    public var type: LinkType
    public var id: UInt32
    public var programID: UInt32
    public var ifindex: UInt32
    public var attachType: AttachType
    public init(type: LinkType, id: UInt32, programID: UInt32, ifindex: UInt32, attachType: AttachType) {
        self.type = type
        self.id = id
        self.programID = programID
        self.ifindex = ifindex
        self.attachType = attachType
    }
}

/// Which object a handle refers to.
public enum ObjectKind: Hashable, Sendable {
    case program
    case link
    case map
}

public enum DeviceKind: Hashable, Sendable {
    case loopback
    case veth
    case netkitPrimary
    case netkitPeer
    /// Any other device of a machine: its IFLA_INFO_KIND (`bridge`, `vxlan`, …), or `device`
    /// for hardware, which has none. Only host and named-namespace worlds see these.
    case other(String)
}

public enum NetkitMode: String, Hashable, Sendable {
    case l2, l3
}

public enum NetkitPolicy: String, Hashable, Sendable {
    case pass, drop
}

/// `dev NAME netkit PEER [mode=] [policy=] [peer-policy=]`.
public struct NetkitSpec: Hashable, Sendable {
    public var name: String
    public var peer: String
    public var mode: NetkitMode
    public var policy: NetkitPolicy
    public var peerPolicy: NetkitPolicy
    public init(name: String, peer: String, mode: NetkitMode = .l3, policy: NetkitPolicy = .pass,
                peerPolicy: NetkitPolicy = .pass) {
        self.name = name
        self.peer = peer
        self.mode = mode
        self.policy = policy
        self.peerPolicy = peerPolicy
    }
}

/// A device of the world.
public struct DeviceInfo: Hashable, Sendable {
    public var name: String
    public var ifindex: UInt32
    public var kind: DeviceKind
    public var peerIfindex: UInt32?
    public init(name: String, ifindex: UInt32, kind: DeviceKind, peerIfindex: UInt32?) {
        self.name = name
        self.ifindex = ifindex
        self.kind = kind
        self.peerIfindex = peerIfindex
    }
}

/// What `run DEV HOOK packet=HEX` reports: the verdict after the chain, the programs that ran
/// (by id, in order), and where a redirect sent the packet.
public struct RunResult: Hashable, Sendable {
    public var verdict: Int32
    public var trace: [UInt32]
    public var redirectIfindex: UInt32?
    public init(verdict: Int32, trace: [UInt32], redirectIfindex: UInt32?) {
        self.verdict = verdict
        self.trace = trace
        self.redirectIfindex = redirectIfindex
    }
}

/// What BPF_PROG_TEST_RUN reports.
public struct TestRunResult: Hashable, Sendable {
    public var returnValue: UInt32
    public var packetOut: [UInt8]
    public var durationNanoseconds: UInt64
    public init(returnValue: UInt32, packetOut: [UInt8], durationNanoseconds: UInt64) {
        self.returnValue = returnValue
        self.packetOut = packetOut
        self.durationNanoseconds = durationNanoseconds
    }
}
