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
/// more than a small program. Runs are kept per thread (`TCRunPool`) and started again for the
/// next skb: the object, its blocks and its environment are made once, not per run.
final class TCRun {
    /// Not retained, nor `shared`: whoever starts the run holds both until it finishes, and a
    /// finished run kept for the next one must not keep an skb or a world alive.
    @exclusivity(unchecked) private var skbReference: Unmanaged<SKBuff>
    var skb: SKBuff { skbReference.takeUnretainedValue() }
    /// The skb borrowed for `body`: reading `skb` retains and releases it.
    @inline(__always)
    func withSKB<T>(_ body: (SKBuff) -> T) -> T { skbReference._withUnsafeGuaranteedRef(body) }
    @exclusivity(unchecked) private(set) unowned(unsafe) var shared: SharedServices
    /// Helpers read single fields through it; the struct itself is never copied per run.
    var services: TCServices {
        // Borrowed, not copied: `run.services.random()` retains one closure, not the ~10 of
        // the struct (a copy per helper call was a visible share of short helpers).
        _read { yield shared.value }
    }
    /// The services borrowed for `body`: a clock or the CPU number called through them costs no
    /// retain, where `services.random()` copies the closure out (a retain and a release per call).
    @inline(__always)
    func withServices<T>(_ body: (TCServices) -> T) -> T {
        Unmanaged.passUnretained(shared)._withUnsafeGuaranteedRef { body($0.value) }
    }
    /// The CPU this run is on, as the per-CPU maps ask it: no retain (see `withServices`).
    @inline(__always)
    func processorID() -> UInt32 {
        Unmanaged.passUnretained(shared)._withUnsafeGuaranteedRef { $0.processorID() }
    }
    let context: UnsafeMutableRawBufferPointer
    let contextLow: UInt64
    /// Where the `struct bpf_sock` of `__sk_buff.sk` is rendered, made with the run.
    private let socketStorage: UnsafeMutableRawBufferPointer
    /// The socket block `__sk_buff.sk` points at, when the skb has a socket and the program
    /// read the context (rendered then: copying the socket cost more than a short program).
    @exclusivity(unchecked) private var socketBlock: UnsafeMutableRawBufferPointer?
    /// Whether the skb has a socket not yet rendered.
    @exclusivity(unchecked) private var socketPending = false
    /// The maps of the program the run started with (held by the program, which the runner
    /// holds until the run finishes).
    @exclusivity(unchecked) private var programMapsReference: Unmanaged<ProgramMaps>?
    var programMaps: ProgramMaps? {
        get { programMapsReference?.takeUnretainedValue() }
        set { programMapsReference = newValue.map { Unmanaged.passUnretained($0) } }
    }
    /// A map of the running program, neither it nor the table retained (a retain and a
    /// release of the table per map helper call otherwise).
    func unretainedMap(_ handle: UInt64) -> Unmanaged<BPFMap>? {
        programMapsReference?._withUnsafeGuaranteedRef { $0.unretainedMap(handle) }
    }
    /// What keeps the programs tail calls entered alive without retaining them
    /// (`TCRunTailCalls`): entered at the first tail call, left when the run ends.
    let grace = GraceReader()
    @exclusivity(unchecked) var inGrace = false
    /// Map values and ring buffer records the program received during the run.
    @exclusivity(unchecked) var grants: [MemoryRegion] = []
    @exclusivity(unchecked) var redirect: RedirectTarget? {
        didSet { redirected = redirect != nil }
    }
    /// Whether `redirect` is set, read without copying it (an outlined copy of the optional
    /// per program run otherwise).
    @exclusivity(unchecked) private(set) var redirected = false
    /// Whether the program stored to the context since its stores were last taken in: a byte
    /// of the block no program can reach, which direct stores set (`ContextDirectWrites`).
    private(set) var contextWritten: Bool {
        get { context.load(fromByteOffset: ContextDirectWriteFields.flagOffset, as: UInt8.self) != 0 }
        set { context.storeBytes(of: newValue ? 1 : 0, toByteOffset: ContextDirectWriteFields.flagOffset, as: UInt8.self) }
    }
    /// Ring buffer records reserved and not yet submitted or discarded.
    @exclusivity(unchecked) var reservations: [(address: UInt64, ring: RingBufferMap)] = []
    /// Inner maps a program looked up in a map of maps, held until the run ends.
    @exclusivity(unchecked) var keepAlive: [BPFMap] = []
    /// The kernel `struct sk_buff` image `bpf_cast_to_kern_ctx` points at, made on first use
    /// (Kfuncs/KernelSKBImage.swift).
    @exclusivity(unchecked) var kernelSKBImage: KernelSKBImage? {
        didSet { imageReference = kernelSKBImage.map { Unmanaged.passUnretained($0) } }
    }
    /// The same, unretained (`kernelSKBImage` holds it): each helper call, probe load and cast
    /// reaches the image, and reading the strong reference retained and released it each time.
    @exclusivity(unchecked) private(set) var imageReference: Unmanaged<KernelSKBImage>?
    /// Whether this run cast its context (`KernelSKBImage.grant`): the image's blocks are then
    /// readable until the run ends, as a helper's grants are.
    @exclusivity(unchecked) var kernelImageGranted = false
    /// References to allocated objects the run holds and has not handed on (Kfuncs/ObjectKfuncs.swift):
    /// the verifier makes every path drop or stash them, so only a run that faulted leaves any.
    @exclusivity(unchecked) var heldObjects: [UInt64] = []
    /// Conntrack entries the conntrack kfuncs handed out, by image address (Kfuncs/ConntrackKfuncs.swift).
    @exclusivity(unchecked) var conntrackHeld: [UInt64: ConntrackEntry] = [:]
    /// Sockets the socket-lookup helpers handed out (Network/RunSockets.swift).
    @exclusivity(unchecked) var socketsIfMade: RunSockets?
    var sockets: RunSockets {
        if let made = socketsIfMade { return made }
        let made = RunSockets(grant: { [unowned self] in self.grant(MemoryRegion($0, writable: false)) })
        socketsIfMade = made
        return made
    }

    /// The program type's context rules, checked on every context access at run time too: the
    /// socket filter's or tc's, called directly (a stored closure retained its context at every
    /// call, once per guarded context access).
    @exclusivity(unchecked) private var socketFilterRules: Bool
    /// The type `socketFilterRules` is for: a restart for the same type keeps them (comparing with
    /// another module's static `let` is an accessor call per frame).
    @exclusivity(unchecked) private var contextRulesType: UInt32
    /// What the executor gets: made once and never changed, so passing it copies nothing. It
    /// names `hooks`, not the run, so the run and its environment form no cycle.
    let environment: RunEnvironment
    /// A copy of `environment` at an address that never changes, which a chain of JIT runs
    /// keeps pointing at (`JITExecutor.prepare`); made with the run, freed with it.
    let environmentAddress: UnsafeMutablePointer<RunEnvironment>
    private let hooks: TCRunHooks
    /// The VM's scratch (stack, frames, JIT state) for this run's programs: owned here, so a
    /// run does not take one from the VM's per-thread pool.
    let scratch = RunScratch.allocate()

    init(skb: SKBuff, services: SharedServices, type: ProgramType = .schedCLS) {
        skbReference = Unmanaged.passUnretained(skb)
        shared = services
        socketFilterRules = type == .socketFilter
        contextRulesType = type.rawValue
        context = .allocate(byteCount: SKBField.size, alignment: 8)
        // Zeroed once: fields not rendered stay 0, the program can store only to the fields
        // `renderWritable` rewrites, so no run leaves anything behind for the next one.
        context.initializeMemory(as: UInt8.self, repeating: 0)
        contextLow = UInt64(UInt(bitPattern: context.baseAddress))
        socketStorage = .allocate(byteCount: SKBSocket.size, alignment: 8)
        let hooks = TCRunHooks()
        self.hooks = hooks
        environment = RunEnvironment(tailCalls: hooks, memory: hooks,
                                     userData: Unmanaged.passUnretained(hooks).toOpaque(), guardsContext: true)
        environmentAddress = .allocate(capacity: 1)
        environmentAddress.initialize(to: environment)
        hooks.reference = Unmanaged.passUnretained(self)
        prepare()
    }

    /// Starts this (finished) run again on `skb`; the caller holds `skb` and `services` until
    /// the run finishes.
    func restart(skb: SKBuff, services: SharedServices, type: ProgramType) {
        skbReference = Unmanaged.passUnretained(skb)
        shared = services
        if type.rawValue != contextRulesType {
            socketFilterRules = type == .socketFilter
            contextRulesType = type.rawValue
        }
        prepare()
    }

    @inline(__always)
    private func contextRules(_ offset: Int, _ size: Int, _ write: Bool) -> Bool {
        socketFilterRules ? SocketFilterRules.allows(offset: offset, size: size, write: write)
                          : ContextRules.allows(offset: offset, size: size, write: write)
    }

    /// The context block as the kernel shows this skb; nothing of an earlier run survives.
    private func prepare() {
        socketPending = skb.hasSocket
        imageReference?._withUnsafeGuaranteedRef { $0.startSKB() }  // another skb, perhaps another device and socket
        renderWritable()
        render()
    }

    /// Starts the next run on the same skb, as the kernel's test-run repeats a program on one
    /// skb: the block is current (helpers and `absorbWrites` kept it so), only what the last
    /// run received is dropped and `sk` is rendered again on first use.
    @inline(__always)
    func rearm() {
        // Most programs of a chain receive nothing: then only the context flag is cleared.
        if holdsAnything { finish(keepingSocket: true) } else { contextWritten = false }
        // The socket block, once rendered, stays for the skb: nothing changes an skb's socket
        // while runs are on it (test-run sets it before), and rendering it again per run was
        // ~350 instructions of a short program that reads the context.
        if socketBlock == nil {
            socketPending = skb.hasSocket
            context.storeBytes(of: UInt64(0), toByteOffset: SKBField.sk, as: UInt64.self)
        }
    }

    /// Whether the program received anything `finish` drops (a rendered socket is the skb's,
    /// not the run's: `rearm` keeps it).
    @inline(__always)
    private var holdsAnything: Bool {
        !reservations.isEmpty || !grants.isEmpty || !keepAlive.isEmpty || !conntrackHeld.isEmpty || !heldObjects.isEmpty
            || socketsIfMade != nil || redirected || inGrace || kernelImageGranted
    }

    /// Ends the run: drops what the program received so the next run starts clean; the socket
    /// block too unless `keepingSocket` (the next run is on the same skb).
    func finish(keepingSocket: Bool = false) {
        // The kernel verifier makes programs release what they reserve; drop what is left.
        if !reservations.isEmpty {
            for (address, ring) in reservations {
                if let record = UnsafeMutableRawPointer(bitPattern: UInt(address)) { ring.discard(record) }
            }
            reservations.removeAll(keepingCapacity: true)
        }
        if !grants.isEmpty { grants.removeAll(keepingCapacity: true) }
        kernelImageGranted = false
        // Objects a faulted run still held: dropped, as the kernel's verifier never lets a run keep one.
        if !heldObjects.isEmpty {
            for address in heldObjects { ObjectHeap.shared.free(address) }
            heldObjects.removeAll(keepingCapacity: true)
        }
        if !keepAlive.isEmpty { keepAlive.removeAll() }
        if !conntrackHeld.isEmpty { conntrackHeld.removeAll() }
        // Each checked first: storing nil calls a release even when there is nothing to release.
        if socketsIfMade != nil { socketsIfMade = nil }
        if !keepingSocket {
            if socketBlock != nil { socketBlock = nil }
            socketPending = false
        }
        if redirected { redirect = nil }
        contextWritten = false
        if inGrace { leaveGrace() }
    }

    deinit {
        environmentAddress.deinitialize(count: 1)
        environmentAddress.deallocate()
        scratch.deallocate()
        context.deallocate()
        socketStorage.deallocate()
    }

    /// The run of `call`, borrowed for `body` without a retain (the executor holds it for the
    /// whole call): for the helpers every map access goes through.
    @inline(__always)
    static func borrow<T>(_ call: HelperCall, _ body: (TCRun) -> T) -> T {
        borrowKeepingImage(call) { run in
            run.skbChanged()  // a helper may change the skb
            return body(run)
        }
    }

    /// `borrow` for a helper that changes nothing the kernel skb image shows, or says so itself
    /// (`skbChanged`): the image stays fresh, so the next cast or read does not fill it again
    /// (a fill is ~600 instructions, and a program that stores its results in the packet after
    /// reading through the cast refilled it at every run).
    @inline(__always)
    static func borrowKeepingImage<T>(_ call: HelperCall, _ body: (TCRun) -> T) -> T {
        Unmanaged<TCRunHooks>.fromOpaque(call.userData.unsafelyUnwrapped)._withUnsafeGuaranteedRef { hooks in
            hooks.reference.unsafelyUnwrapped._withUnsafeGuaranteedRef { run in body(run) }
        }
    }

    /// Something the kernel skb image shows may have changed: it is filled again before it is read.
    @inline(__always)
    func skbChanged() {
        imageReference?._withUnsafeGuaranteedRef { $0.stale = true }
    }

    /// The run and its skb borrowed for `body`, which may change `call` too (the packet window
    /// after a resize): a helper that held them as `let run = TCRun.from(call); let skb =
    /// run.skb` paid two retains and two releases per call.
    @inline(__always)
    static func borrowWithSKB<T>(_ call: inout HelperCall, _ body: (inout HelperCall, TCRun, SKBuff) -> T) -> T {
        let run = Unmanaged<TCRunHooks>.fromOpaque(call.userData.unsafelyUnwrapped)._withUnsafeGuaranteedRef {
            $0.reference.unsafelyUnwrapped
        }
        return run._withUnsafeGuaranteedRef { run in
            run.skbChanged()  // a helper may change the skb
            return run.withSKB { skb in body(&call, run, skb) }
        }
    }

    static func from(_ call: HelperCall) -> TCRun {
        // The hooks borrowed: one retain (the run returned), not two.
        let run = Unmanaged<TCRunHooks>.fromOpaque(call.userData.unsafelyUnwrapped)._withUnsafeGuaranteedRef { hooks in
            hooks.reference.unsafelyUnwrapped.takeUnretainedValue()
        }
        run.skbChanged()  // a helper may change the skb
        return run
    }

    // MARK: Memory the run may touch besides stack and packet

    func allows(_ address: UInt64, size: UInt64, write: Bool) -> Bool {
        let offset = address &- contextLow
        if offset < UInt64(SKBField.size) {
            guard size <= 8, contextRules(Int(offset), Int(size), write) else { return false }
            if socketPending { renderSocket() }
            // A store lands after this check: the next access takes it in first (each store on
            // its own, as the kernel's rewritten stores do), so a program reads back what the
            // kernel kept. Accesses with no store before them cost nothing more.
            if contextWritten { absorbWrites() }
            if write { contextWritten = true }
            return true
        }
        // The rendered `struct bpf_sock` of `__sk_buff.sk`: read only.
        if let block = socketBlock, MemoryRegion(block, writable: false).contains(address, size: size, write: write) { return true }
        // A BTF pointer reads the skb as it is now, whatever changed it since the cast.
        if let reference = imageReference {
            let readable = reference._withUnsafeGuaranteedRef { image in
                if image.holds(address) {
                    if contextWritten { absorbWrites() }  // marks the image stale if a store changed the skb
                    if image.stale { image.fill(from: skb) }
                }
                return kernelImageGranted && !write && image.allowsRead(address, size: size)
            }
            if readable { return true }
        }
        for region in grants where region.contains(address, size: size, write: write) { return true }
        // A kptr field's object, through the pointer a load of the field gives: read only when
        // untrusted, also written when the verifier typed it RCU-protected (a refcounted local
        // type, KptrFieldAccess.loaded); either way memory the program's objects own.
        return ObjectHeap.shared.holds(address, size: size)
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

    /// Renders the skb's socket for `__sk_buff.sk`, before the first context access can read it.
    private func renderSocket() {
        socketPending = false
        guard let socket = skb.metadata.socket else { return }
        socket.render(into: socketStorage)
        socketBlock = socketStorage  // allowed for reads by `allows`, not a grant: it outlives the run
        context.storeBytes(of: UInt64(UInt(bitPattern: socketStorage.baseAddress)), toByteOffset: SKBField.sk, as: UInt64.self)
    }

    /// Writes the fields only the kernel changes (length, protocol, VLAN, hash, ...).
    func render() {
        // Field by field, borrowed: a copy of the whole metadata retains its socket and tunnel.
        skbReference._withUnsafeGuaranteedRef { skb in
            store32(UInt32(skb.length), at: SKBField.len)
            store32(skb.metadata.pktType, at: SKBField.pktType)
            store32(UInt32(skb.metadata.protocol.bigEndian), at: SKBField.protocol)
            store32(skb.metadata.vlanPresent ? 1 : 0, at: SKBField.vlanPresent)
            store32(UInt32(skb.metadata.vlanTCI), at: SKBField.vlanTCI)
            store32(UInt32(skb.metadata.vlanProto.bigEndian), at: SKBField.vlanProto)
            store32(skb.metadata.ingressIfindex, at: SKBField.ingressIfindex)
            store32(skb.metadata.ifindex, at: SKBField.ifindex)
            store32(skb.metadata.hash, at: SKBField.hash)
            store32(skb.metadata.napiID, at: SKBField.napiID)
            store32(skb.metadata.wireLen, at: SKBField.wireLen)
            store32(skb.metadata.gsoSegs, at: SKBField.gsoSegs)
            store32(skb.metadata.gsoSize, at: SKBField.gsoSize)
            context.storeBytes(of: skb.metadata.tstampType, toByteOffset: SKBField.tstampType, as: UInt8.self)
            context.storeBytes(of: skb.metadata.hwtstamp, toByteOffset: SKBField.hwtstamp, as: UInt64.self)
        }
        context.storeBytes(of: UInt64(UInt(bitPattern: socketBlock?.baseAddress)), toByteOffset: SKBField.sk, as: UInt64.self)
    }

    /// Writes the fields the program may store to, as the skb holds them.
    func renderWritable() {
        skbReference._withUnsafeGuaranteedRef { skb in
            store32(skb.metadata.mark, at: SKBField.mark)
            store32(UInt32(skb.metadata.queueMapping), at: SKBField.queueMapping)
            store32(skb.metadata.priority, at: SKBField.priority)
            store32(UInt32(skb.metadata.tcIndex), at: SKBField.tcIndex)
            for i in 0..<5 { store32(skb.metadata.cb[i], at: SKBField.cb + 4 * i) }
            store32(UInt32(skb.metadata.tcClassid), at: SKBField.tcClassid)
            context.storeBytes(of: skb.metadata.tstamp, toByteOffset: SKBField.tstamp, as: UInt64.self)
        }
    }

    /// Takes what the program stored into the skb, as the kernel's rewritten stores would:
    /// 16-bit fields keep their low half, a queue mapping of 0xffff or more is ignored.
    /// Runs before a context access that follows a store, before helpers that read the skb, and
    /// after the run, so a program reads back exactly what the kernel would have kept.
    func absorbWrites() {
        contextWritten = false
        // Field by field, writing only what changed: copying and comparing the whole metadata
        // (sockets, tunnel keys) on every context access cost more than the program.
        // The kernel skb image is marked stale only when the skb changed: a program storing the
        // same mark at every run does not make the next cast fill it again.
        if skbReference._withUnsafeGuaranteedRef({ skb in absorbWrites(into: skb) }) { skbChanged() }
        renderWritable()  // also undoes an ignored store
    }

    /// The body of `absorbWrites`, on the skb borrowed (a retain and a release per context
    /// access after a store were a visible share of it). Whether it changed the skb.
    private func absorbWrites(into skb: SKBuff) -> Bool {
        var changed = false
        let mark = load32(SKBField.mark)
        if mark != skb.metadata.mark { skb.metadata.mark = mark; changed = true }
        let queue = load32(SKBField.queueMapping)
        if queue != UInt32(skb.metadata.queueMapping) && queue < 0xffff { skb.metadata.queueMapping = UInt16(queue); changed = true }
        let priority = load32(SKBField.priority)
        if priority != skb.metadata.priority { skb.metadata.priority = priority; changed = true }
        let tcIndex = UInt16(truncatingIfNeeded: load32(SKBField.tcIndex))
        if tcIndex != skb.metadata.tcIndex { skb.metadata.tcIndex = tcIndex; changed = true }
        for i in 0..<5 {
            let word = load32(SKBField.cb + 4 * i)
            if word != skb.metadata.cb[i] { skb.metadata.cb[i] = word; changed = true }
        }
        let classid = UInt16(truncatingIfNeeded: load32(SKBField.tcClassid))
        if classid != skb.metadata.tcClassid { skb.metadata.tcClassid = classid; changed = true }
        let tstamp = context.load(fromByteOffset: SKBField.tstamp, as: UInt64.self)
        if tstamp != skb.metadata.tstamp { skb.metadata.tstamp = tstamp; changed = true }
        return changed
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
    @inline(__always)
    var packet: UnsafeMutableRawBufferPointer {
        // Borrowed: read before every program of a chain, a retain and release each time.
        skbReference._withUnsafeGuaranteedRef { $0.buffer.data }
    }
}

/// What a run's environment names instead of the run itself (which holds the environment):
/// forwards to the run, held unretained while the run exists.
final class TCRunHooks: MemoryRegionProvider, TailCallResolver {
    /// Set by the run as soon as it is made; unretained, and called without a retain (a
    /// retain and a release per guarded context access were a visible share of it).
    var reference: Unmanaged<TCRun>?
    var run: TCRun? { reference?.takeUnretainedValue() }

    func allows(_ address: UInt64, size: UInt64, write: Bool) -> Bool {
        reference?._withUnsafeGuaranteedRef { $0.allows(address, size: size, write: write) } ?? false
    }

    /// `allows` for the JIT's check, called on the hooks unretained (the run holds them).
    var directAllows: DirectAllows? {
        DirectAllows(function: Self.allowsUnretained, context: UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()))
    }

    private static let allowsUnretained: DirectAllows.Function = { context, address, size, write in
        Unmanaged<TCRunHooks>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.allows(address, size: size, write: write) }
    }

    func program(map: UInt64, index: UInt32) -> Unmanaged<VMProgram>? {
        reference?._withUnsafeGuaranteedRef { $0.program(map: map, index: index) }
    }

    /// `program` for the JIT's tail call, called on the hooks unretained (the run holds them).
    var directTailCalls: DirectTailCalls? {
        DirectTailCalls(function: Self.programUnretained, context: UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()))
    }

    private static let programUnretained: DirectTailCalls.Function = { context, map, index in
        Unmanaged<TCRunHooks>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.program(map: map, index: index) }
            .map { UnsafeRawPointer($0.toOpaque()) }
    }

    /// A map value the JIT looked up itself (`DirectLookups`), as `MapHelpers.lookup` grants it.
    func grant(_ region: MemoryRegion) {
        reference?._withUnsafeGuaranteedRef { $0.grant(region) }
    }
}
