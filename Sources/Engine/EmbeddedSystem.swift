import Atomics
import BPFCore
import BPFVM
import Synchronization
import TCRuntime
import TCX

/// The embedded backend: an in-process world that reproduces the kernel's multi-program attach
/// semantics — ordering, revisions, errno for errno — and runs programs in the eBPF VM.
///
/// Control operations are serialised by one lock, as the kernel serialises them per device;
/// the datapath reads only published program arrays and takes no lock.
public final class EmbeddedSystem: TCXSystem {
    private let state = Mutex(WorldStateBox())
    /// Runs tc programs with the world's helper services; `trace_printk` lines go to `trace`.
    let runner: TCProgramRunner
    public let trace = TraceLog()
    /// The devices as datapath workers see them: kept up to date change by change, and shared
    /// with packets as a snapshot made on the first packet after a change.
    let published = PublishedDevices()

    /// - Parameter executor: what runs programs: the interpreter or, on x86-64 Linux, the JIT.
    public init(executor: ExecutorKind = .selected) {
        var services = TCServices(log: { [trace] line in trace.append(line) })
        services.deviceExists = { [published] ifindex in published.contains(ifindex) }
        services.network = NetworkState(.fresh())
        runner = TCProgramRunner(services: services, executor: executor)
        publishTopology()
    }

    /// Passes the world's device changes on to the datapath and the network state (call after
    /// devices change); costs what changed.
    func publishTopology() {
        state.withLock { box in
            let changes = box.world.devices.takeChanges()
            guard !changes.added.isEmpty || !changes.removed.isEmpty else { return }
            published.apply(added: changes.added, removed: changes.removed)
            let infos = changes.added.map(\.info)
            let network = runner.services.network.update { net in
                net.apply(added: infos, removed: changes.removed)
                return net
            }
            for device in changes.added {
                let mac = network.devices[device.ifindex]?.mac ?? []
                device.hardwareAddress.store(SKBuff.packedAddress(mac))
            }
        }
    }

    public var backendName: String { "embedded" }

    func withWorld<T>(_ body: (WorldState) throws(TCXError) -> T) throws(TCXError) -> T {
        try locked(body)
    }

    func locked<T>(_ body: (WorldState) throws(TCXError) -> T) throws(TCXError) -> T {
        let result: Result<T, TCXError> = state.withLock { box in
            do throws(TCXError) { return .success(try body(box.world)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: Programs and handles

    public func loadProgram(_ spec: ProgramSpec) throws(TCXError) -> Handle {
        try loadProgram(spec, maps: [])
    }

    public func close(_ handle: Handle) throws(TCXError) {
        let socket = try locked { world throws(TCXError) -> UInt64? in
            if world.descriptors.sockets[handle.rawValue] != nil { return world.closeSocket(handle.rawValue) }
            try world.close(handle.rawValue)
            return nil
        }
        if let socket { forgetSocket(identity: socket) }
    }

    public func duplicate(_ handle: Handle) throws(TCXError) -> Handle {
        try locked { world throws(TCXError) in
            // A socket's descriptors share the socket, which closes with the last of them.
            if let identity = world.descriptors.sockets[handle.rawValue] {
                return world.descriptors.installSocket(identity: identity)
            }
            guard case .file(let file) = world.descriptors.lookup(handle.rawValue) else {
                throw TCXError(.EBADF, "fd \(handle.rawValue) is not open")
            }
            return world.descriptors.install(file)
        }
    }

    public func programInfo(_ handle: Handle) throws(TCXError) -> ProgramInfo {
        try locked { world throws(TCXError) in
            let object = try world.infoObject(handle.rawValue)
            guard case .program(let program) = object else {
                throw TCXError(.EINVAL, "fd \(handle.rawValue) is not a program")
            }
            return ProgramInfo(id: program.id, type: program.type, name: program.name)
        }
    }

    public func linkInfo(_ handle: Handle) throws(TCXError) -> LinkInfo {
        try locked { world throws(TCXError) in
            let object = try world.infoObject(handle.rawValue)
            guard case .link(let link) = object else {
                throw TCXError(.EINVAL, "fd \(handle.rawValue) is not a link")
            }
            return LinkInfo(type: link.type, id: link.id, programID: link.program.id,
                            ifindex: link.ifindex, attachType: link.attachType)
        }
    }

    public func kind(of handle: Handle) throws(TCXError) -> ObjectKind {
        try locked { world throws(TCXError) in
            switch try world.object(at: handle.rawValue, role: "the") {
            case .program: .program
            case .link: .link
            case .map: .map
            }
        }
    }

    public func program(byID id: UInt32) throws(TCXError) -> Handle {
        try locked { world throws(TCXError) in
            guard let program = world.programs[id] else { throw TCXError(.ENOENT, "no program has id \(id)") }
            return world.open(.program(program))
        }
    }

    public func link(byID id: UInt32) throws(TCXError) -> Handle {
        try locked { world throws(TCXError) in
            guard let link = world.links[id] else { throw TCXError(.ENOENT, "no link has id \(id)") }
            return world.open(.link(link))
        }
    }

    // MARK: Pins

    public func pin(_ handle: Handle, at path: PinPath) throws(TCXError) {
        try locked { world throws(TCXError) in try world.pin(handle.rawValue, at: path) }
    }

    public func getPinned(_ path: PinPath) throws(TCXError) -> Handle {
        try locked { world throws(TCXError) in try world.getPinned(path) }
    }

    public func unpin(_ path: PinPath) throws(TCXError) {
        try locked { world throws(TCXError) in try world.unpin(path) }
    }

    // MARK: Devices

    public func createVeth(name: String, peer: String) throws(TCXError) -> (UInt32, UInt32) {
        defer { publishTopology() }
        return try locked { world throws(TCXError) in
            try world.createPair(name: name, peer: peer, kinds: (.veth, .veth))
        }
    }

    public func createNetkit(_ spec: NetkitSpec) throws(TCXError) -> (UInt32, UInt32) {
        defer { publishTopology() }
        return try locked { world throws(TCXError) in
            try world.createPair(name: spec.name, peer: spec.peer, kinds: (.netkitPrimary, .netkitPeer),
                                 policies: (spec.policy, spec.peerPolicy), mode: spec.mode)
        }
    }

    public func deleteDevice(ifindex: UInt32) throws(TCXError) {
        defer { publishTopology() }
        try locked { world throws(TCXError) in try world.deleteDevice(ifindex: ifindex) }
    }

    public func devices() throws(TCXError) -> [DeviceInfo] {
        try locked { world in world.devices.values.sorted { $0.ifindex < $1.ifindex }.map(\.info) }
    }

    // MARK: Multi-program hooks

    public func attach(_ request: RawAttach) throws(TCXError) {
        try locked { world throws(TCXError) in try world.attach(request) }
    }

    public func detach(_ request: RawDetach) throws(TCXError) {
        try locked { world throws(TCXError) in try world.detach(request) }
    }

    public func createLink(_ request: RawLinkCreate) throws(TCXError) -> Handle {
        try locked { world throws(TCXError) in try world.createLink(request) }
    }

    public func updateLink(_ request: RawLinkUpdate) throws(TCXError) {
        try locked { world throws(TCXError) in try world.updateLink(request) }
    }

    public func detachLink(_ link: Handle) throws(TCXError) {
        try locked { world throws(TCXError) in try world.detachLink(link.rawValue) }
    }

    public func query(_ request: RawQuery) throws(TCXError) -> QueryReply {
        try locked { world throws(TCXError) in try world.query(request) }
    }

    // MARK: Running programs

    public func testRun(_ program: Handle, packet: [UInt8], repeat count: UInt32) throws(TCXError) -> TestRunResult {
        let object = try locked { world throws(TCXError) in
            try world.program(at: program.rawValue, role: "program")
        }
        return try TestRun.run(object, packet: packet, repeat: count)
    }

    public func run(_ target: HookTarget, packet: [UInt8]) throws(TCXError) -> RunResult {
        let plan = try locked { world throws(TCXError) in try world.datapathPlan(for: target) }
        return try Datapath.run(plan, packet: packet)
    }

    public func shutdown() {
        state.withLock { box in box.world = WorldState() }
        published.reset()
        runner.services.network.update { $0 = .fresh() }
        publishTopology()
    }
}

/// Holds the world so the lock can replace it whole on shutdown.
final class WorldStateBox: @unchecked Sendable {
    var world = WorldState()
}

extension WorldState {
    /// BPF_OBJ_GET_INFO_BY_FD resolves its fd itself: any fd that is not open is EBADFD there.
    func infoObject(_ fd: UInt32) throws(TCXError) -> BPFObject {
        switch descriptors.lookup(fd) {
        case .file(let file): return file.object
        case .notBPF: throw TCXError(.EINVAL, "fd \(fd) is not a BPF object")
        case .closed: throw TCXError(.EBADFD, "fd \(fd) is not open")
        }
    }
}
