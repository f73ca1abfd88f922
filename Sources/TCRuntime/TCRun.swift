import BPFCore
import BPFMaps
import BPFVM

/// Where a program asked the packet to go (`bpf_redirect`, `bpf_redirect_peer`).
public struct RedirectTarget: Hashable, Sendable {
    public enum Direction: Hashable, Sendable {
        /// Out of the device (`flags` 0).
        case egress
        /// Into the device's receive path (`BPF_F_INGRESS`).
        case ingress
        /// Into the peer device of a veth or netkit pair, across namespaces (`bpf_redirect_peer`).
        case peer
        /// Out of the device to a neighbour resolved then (`bpf_redirect_neigh`): through the
        /// given next hop (empty for an unknown family), or the route to the packet's destination.
        case neighbour(nextHop: [UInt8]?)
    }
    public var ifindex: UInt32
    public var direction: Direction

    public init(ifindex: UInt32, direction: Direction) {
        self.ifindex = ifindex
        self.direction = direction
    }
}

/// The state of one program run on one skb: the context block the program reads and writes,
/// the memory helpers handed out, the redirect it asked for. Helpers reach it through
/// `RunEnvironment.userData`. A run belongs to one thread from start to end, so its state is
/// not checked for exclusive access at run time (`@exclusivity(unchecked)`): those checks cost
/// more than a small program.
final class TCRun: MemoryRegionProvider, TailCallResolver {
    let skb: SKBuff
    let shared: SharedServices
    /// Helpers read single fields through it; the struct itself is never copied per run.
    var services: TCServices { shared.value }
    let context: UnsafeMutableRawBufferPointer
    let contextLow: UInt64
    /// The `struct bpf_sock` `__sk_buff.sk` points at, when the skb has a socket.
    @exclusivity(unchecked) private var socketBlock: UnsafeMutableRawBufferPointer?
    /// Map values and ring buffer records the program received during the run.
    @exclusivity(unchecked) var grants: [MemoryRegion] = []
    @exclusivity(unchecked) var redirect: RedirectTarget?
    /// Whether the program stored to the context since its stores were last taken in.
    @exclusivity(unchecked) private(set) var contextWritten = false
    /// Ring buffer records reserved and not yet submitted or discarded.
    @exclusivity(unchecked) var reservations: [(address: UInt64, ring: RingBufferMap)] = []
    /// Inner maps a program looked up in a map of maps, held until the run ends.
    @exclusivity(unchecked) var keepAlive: [BPFMap] = []
    /// Sockets the socket-lookup helpers handed out (Network/RunSockets.swift).
    @exclusivity(unchecked) var socketsIfMade: RunSockets?
    var sockets: RunSockets {
        if let made = socketsIfMade { return made }
        let made = RunSockets(grant: { [unowned self] in self.grant(MemoryRegion($0, writable: false)) })
        socketsIfMade = made
        return made
    }

    /// The program type's context rules, checked on every context access at run time too.
    private let contextRules: ContextAccessRule

    init(skb: SKBuff, services: SharedServices, type: ProgramType = .schedCLS) {
        self.skb = skb
        contextRules = type == .socketFilter ? SocketFilterRules.allows : ContextRules.allows
        self.shared = services
        context = .allocate(byteCount: SKBField.size, alignment: 8)
        context.initializeMemory(as: UInt8.self, repeating: 0)
        contextLow = UInt64(UInt(bitPattern: context.baseAddress))
        if let socket = skb.metadata.socket {
            let block = UnsafeMutableRawBufferPointer.allocate(byteCount: SKBSocket.size, alignment: 8)
            socket.render(into: block)
            socketBlock = block
            grants.append(MemoryRegion(block, writable: false))
        }
        renderWritable()
        render()
    }

    deinit {
        // The kernel verifier makes programs release what they reserve; drop what is left.
        for (address, ring) in reservations { ring.discard(UnsafeMutableRawPointer(bitPattern: UInt(address))!) }
        context.deallocate()
        socketBlock?.deallocate()
    }

    func program(map: UInt64, index: UInt32) -> VMProgram? {
        guard let array = MapRegistry.shared.map(map) as? ProgramArrayMap,
              let slot = array.program(at: index)?.program else { return nil }
        return (slot as? any TailCallTarget)?.tailCallProgram ?? (slot as? VMProgram)
    }

    static func from(_ call: HelperCall) -> TCRun {
        Unmanaged<TCRun>.fromOpaque(call.environment.userData.unsafelyUnwrapped).takeUnretainedValue()
    }

    // MARK: Memory the run may touch besides stack and packet

    func allows(_ address: UInt64, size: UInt64, write: Bool) -> Bool {
        let offset = address &- contextLow
        if offset < UInt64(SKBField.size) {
            guard size <= 8, contextRules(Int(offset), Int(size), write) else { return false }
            // A store lands after this check: the next access takes it in first (each store on
            // its own, as the kernel's rewritten stores do), so a program reads back what the
            // kernel kept. Accesses with no store before them cost nothing more.
            if contextWritten { absorbWrites() }
            if write { contextWritten = true }
            return true
        }
        for region in grants where region.contains(address, size: size, write: write) { return true }
        return false
    }

    func grant(_ region: MemoryRegion) {
        if grants.last != region && !grants.contains(region) { grants.append(region) }
    }

    // MARK: The context block

    private func store32(_ value: UInt32, at offset: Int) {
        context.storeBytes(of: value, toByteOffset: offset, as: UInt32.self)
    }

    private func load32(_ offset: Int) -> UInt32 {
        context.load(fromByteOffset: offset, as: UInt32.self)
    }

    /// Writes the fields only the kernel changes (length, protocol, VLAN, hash, ...).
    func render() {
        let m = skb.metadata
        store32(UInt32(skb.length), at: SKBField.len)
        store32(m.pktType, at: SKBField.pktType)
        store32(UInt32(m.protocol.bigEndian), at: SKBField.protocol)
        store32(m.vlanPresent ? 1 : 0, at: SKBField.vlanPresent)
        store32(UInt32(m.vlanTCI), at: SKBField.vlanTCI)
        store32(UInt32(m.vlanProto.bigEndian), at: SKBField.vlanProto)
        store32(m.ingressIfindex, at: SKBField.ingressIfindex)
        store32(m.ifindex, at: SKBField.ifindex)
        store32(m.hash, at: SKBField.hash)
        store32(m.napiID, at: SKBField.napiID)
        store32(m.wireLen, at: SKBField.wireLen)
        store32(m.gsoSegs, at: SKBField.gsoSegs)
        store32(m.gsoSize, at: SKBField.gsoSize)
        context.storeBytes(of: m.tstampType, toByteOffset: SKBField.tstampType, as: UInt8.self)
        context.storeBytes(of: m.hwtstamp, toByteOffset: SKBField.hwtstamp, as: UInt64.self)
        context.storeBytes(of: UInt64(UInt(bitPattern: socketBlock?.baseAddress)), toByteOffset: SKBField.sk, as: UInt64.self)
    }

    /// Writes the fields the program may store to, as the skb holds them.
    func renderWritable() {
        let m = skb.metadata
        store32(m.mark, at: SKBField.mark)
        store32(UInt32(m.queueMapping), at: SKBField.queueMapping)
        store32(m.priority, at: SKBField.priority)
        store32(UInt32(m.tcIndex), at: SKBField.tcIndex)
        for i in 0..<5 { store32(m.cb[i], at: SKBField.cb + 4 * i) }
        store32(UInt32(m.tcClassid), at: SKBField.tcClassid)
        context.storeBytes(of: m.tstamp, toByteOffset: SKBField.tstamp, as: UInt64.self)
    }

    /// Takes what the program stored into the skb, as the kernel's rewritten stores would:
    /// 16-bit fields keep their low half, a queue mapping of 0xffff or more is ignored.
    /// Runs before a context access that follows a store, before helpers that read the skb, and
    /// after the run, so a program reads back exactly what the kernel would have kept.
    func absorbWrites() {
        contextWritten = false
        // Field by field, writing only what changed: copying and comparing the whole metadata
        // (sockets, tunnel keys) on every context access cost more than the program.
        let skb = self.skb
        let mark = load32(SKBField.mark)
        if mark != skb.metadata.mark { skb.metadata.mark = mark }
        let queue = load32(SKBField.queueMapping)
        if queue != UInt32(skb.metadata.queueMapping) && queue < 0xffff { skb.metadata.queueMapping = UInt16(queue) }
        let priority = load32(SKBField.priority)
        if priority != skb.metadata.priority { skb.metadata.priority = priority }
        let tcIndex = UInt16(truncatingIfNeeded: load32(SKBField.tcIndex))
        if tcIndex != skb.metadata.tcIndex { skb.metadata.tcIndex = tcIndex }
        for i in 0..<5 {
            let word = load32(SKBField.cb + 4 * i)
            if word != skb.metadata.cb[i] { skb.metadata.cb[i] = word }
        }
        let classid = UInt16(truncatingIfNeeded: load32(SKBField.tcClassid))
        if classid != skb.metadata.tcClassid { skb.metadata.tcClassid = classid }
        let tstamp = context.load(fromByteOffset: SKBField.tstamp, as: UInt64.self)
        if tstamp != skb.metadata.tstamp { skb.metadata.tstamp = tstamp }
        renderWritable()  // also undoes an ignored store
    }

    /// Whether `address` is the `struct bpf_sock` of `__sk_buff.sk`.
    func isContextSocket(_ address: UInt64) -> Bool {
        address != 0 && address == UInt64(UInt(bitPattern: socketBlock?.baseAddress))
    }

    /// tc ingress: the skb is on the device it arrived at (a test-run is not at ingress).
    var isAtIngress: Bool {
        skb.metadata.ingressIfindex != 0 && skb.metadata.ingressIfindex == skb.metadata.ifindex
    }

    /// The packet as the program's bounds must now see it.
    var packet: UnsafeMutableRawBufferPointer { skb.buffer.data }
}
