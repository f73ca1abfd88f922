/// The `sk_buff` fields a tc program sees or changes besides the packet bytes. EtherTypes
/// (`protocol`, `vlanProto`) are host-order values (0x0800 for IPv4); the context shows them
/// in network byte order, as the kernel does.
public struct SKBMetadata: Hashable, Sendable {
    public var pktType: UInt32 = 0
    public var mark: UInt32 = 0
    public var queueMapping: UInt16 = 0
    public var `protocol`: UInt16 = 0
    public var vlanPresent = false
    public var vlanTCI: UInt16 = 0
    public var vlanProto: UInt16 = 0
    public var priority: UInt32 = 0
    public var ingressIfindex: UInt32 = 0
    public var ifindex: UInt32 = 0
    public var tcIndex: UInt16 = 0
    /// `cb[5]`: 20 bytes the program may use freely.
    public var cb = ControlBlock()
    public var hash: UInt32 = 0
    /// The hash was set by software (`bpf_set_hash`) / covers the L4 ports.
    public var softwareHash = false
    public var l4Hash = false
    public var tcClassid: UInt16 = 0
    public var napiID: UInt32 = 0
    public var tstamp: UInt64 = 0
    public var tstampType: UInt8 = 0
    public var hwtstamp: UInt64 = 0
    public var wireLen: UInt32 = 0
    public var gsoSegs: UInt32 = 0
    public var gsoSize: UInt32 = 0
    /// Set by `bpf_skb_adjust_room` with an encapsulation flag; blocks a second encapsulation
    /// and `bpf_skb_change_tail`.
    public var encapsulation = false
    /// The owning socket `__sk_buff.sk` points at; nil reads as NULL.
    public var socket: SKBSocket?
    /// The tunnel metadata `bpf_skb_set_tunnel_key` attached (the kernel's metadata dst).
    public var tunnel: TunnelInfo?
    /// `ip_summed == CHECKSUM_UNNECESSARY` and its `csum_level` (test-run skbs start at NONE).
    public var checksumUnnecessary = false
    public var checksumLevel: UInt8 = 0

    public init() {}

    /// What `init()` makes, kept for `reset`.
    private static let fresh = SKBMetadata()

    /// Makes every field what `init()` makes, as `self = SKBMetadata()` does. A datapath thread
    /// resets its skb's fields per frame: the whole-struct assignment went through value
    /// witnesses (~200 instructions). When neither the socket nor the tunnel is held, no field
    /// holds a reference, nor does `fresh`: copying its bytes is then the whole assignment.
    public mutating func reset() {
        guard socket == nil, tunnel == nil else {
            self = SKBMetadata()
            return
        }
        withUnsafeMutableBytes(of: &self) { target in
            withUnsafeBytes(of: Self.fresh) { target.copyMemory(from: $0) }
        }
    }
}

/// `__sk_buff.cb[5]`: five words kept inline so copying metadata never allocates.
public struct ControlBlock: Hashable, Sendable {
    private var w0: UInt32 = 0, w1: UInt32 = 0, w2: UInt32 = 0, w3: UInt32 = 0, w4: UInt32 = 0

    public init(_ words: [UInt32] = []) {
        for (i, word) in words.prefix(5).enumerated() { self[i] = word }
    }

    public subscript(index: Int) -> UInt32 {
        get {
            switch index {
            case 0: w0
            case 1: w1
            case 2: w2
            case 3: w3
            default: w4
            }
        }
        set {
            switch index {
            case 0: w0 = newValue
            case 1: w1 = newValue
            case 2: w2 = newValue
            case 3: w3 = newValue
            default: w4 = newValue
            }
        }
    }

    public var words: [UInt32] { (0..<5).map { self[$0] } }
}

/// The socket an skb belongs to, as `__sk_buff.sk` shows it (`struct bpf_sock`, read only).
/// BPF_PROG_TEST_RUN attaches one; received packets at tc ingress have none.
public struct SKBSocket: Hashable, Sendable {
    /// AF_INET 2, AF_INET6 10, 0 otherwise.
    public var family: UInt32 = 0
    /// Local and remote addresses in network byte order (4 or 16 bytes).
    public var source: [UInt8] = []
    public var destination: [UInt8] = []

    public init(family: UInt32 = 0, source: [UInt8] = [], destination: [UInt8] = []) {
        self.family = family
        self.source = source
        self.destination = destination
    }

    /// sizeof(struct bpf_sock).
    static let size = 80

    /// The `struct bpf_sock` bytes: family @4, src_ip4 @24, src_ip6 @28, dst_ip4 @52, dst_ip6 @56.
    func render(into block: UnsafeMutableRawBufferPointer) {
        block.initializeMemory(as: UInt8.self, repeating: 0)
        block.storeBytes(of: family, toByteOffset: 4, as: UInt32.self)
        let (src, dst) = source.count == 4 ? (24, 52) : (28, 56)
        for (i, b) in source.prefix(16).enumerated() { block[src + i] = b }
        for (i, b) in destination.prefix(16).enumerated() { block[dst + i] = b }
    }
}
