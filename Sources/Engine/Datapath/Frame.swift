/// A packet on its way through the embedded datapath.
public struct Frame: Sendable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// Where a program asked the packet to go (bpf_redirect): a device's egress, or its ingress
/// with BPF_F_INGRESS.
public struct Redirect: Hashable, Sendable {
    public let ifindex: UInt32
    public let ingress: Bool
    public init(ifindex: UInt32, ingress: Bool) {
        self.ifindex = ifindex
        self.ingress = ingress
    }
}

/// What one program run produced.
struct ProgramRun {
    let returnValue: Int32
    let redirect: Redirect?
}
