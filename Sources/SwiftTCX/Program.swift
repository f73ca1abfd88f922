import TCX

/// A loaded BPF program that owns its descriptor: when the value goes, the descriptor is
/// closed, and the program is unloaded once nothing else (a hook, a link, a pin, another
/// descriptor) holds it. Copies are explicit (`duplicate()`), and so is handing the raw
/// descriptor off (`relinquish()`).
public struct Program: ~Copyable, Sendable {
    /// The world the descriptor belongs to.
    public let world: any TCXSystem
    /// The raw handle, for the raw `TCXSystem` requests. Valid while this value lives.
    public private(set) var handle: Handle

    /// Takes ownership of a raw program handle of `world`.
    public init(adopting handle: Handle, in world: any TCXSystem) {
        self.world = world
        self.handle = handle
    }

    /// BPF_PROG_LOAD of raw instructions.
    public init(loading spec: ProgramSpec, in world: any TCXSystem) throws(TCXError) {
        self.init(adopting: try world.loadProgram(spec), in: world)
    }

    /// Opens the program pinned at `path` (EINVAL, saying what is there, when it is no program).
    public init(pinned path: PinPath, in world: any TCXSystem) throws(TCXError) {
        self.init(adopting: try OwnedHandle.openPinned(path, as: .program, in: world), in: world)
    }

    /// Opens the loaded program with this id (BPF_PROG_GET_FD_BY_ID).
    public init(id: UInt32, in world: any TCXSystem) throws(TCXError) {
        self.init(adopting: try world.program(byID: id), in: world)
    }

    deinit { OwnedHandle.release(handle, in: world) }

    /// Hands the raw handle to the caller, who must close it; this value no longer owns it.
    public consuming func relinquish() -> Handle {
        let raw = handle
        handle = .invalid
        return raw
    }

    /// Closes the descriptor now and reports a failure (deinit would ignore it).
    public consuming func close() throws(TCXError) {
        try world.close(relinquish())
    }

    /// A second descriptor to the same program, owned by the new value.
    public func duplicate() throws(TCXError) -> Program {
        Program(adopting: try world.duplicate(handle), in: world)
    }

    /// BPF_OBJ_GET_INFO_BY_FD.
    public var info: ProgramInfo { get throws(TCXError) { try world.programInfo(handle) } }

    /// The program's id, which names it to every process.
    public var id: UInt32 { get throws(TCXError) { try info.id } }

    /// BPF_OBJ_PIN: the pin holds the program loaded after every descriptor has gone.
    public func pin(at path: PinPath) throws(TCXError) {
        try world.pin(handle, at: path)
    }

    // MARK: Hooks

    /// Attaches in prog mode at `anchor`: the attachment stays until detached, whoever owns
    /// the program. With `expectedRevision` the change is made only if nobody changed the hook
    /// since (ESTALE otherwise).
    public func attach(to target: HookTarget, at anchor: Anchor = .tail, expectedRevision: UInt64 = 0) throws(TCXError) {
        try world.attach(handle, to: target, at: anchor, expectedRevision: expectedRevision)
    }

    /// Takes the prog-mode place of `old` on the hook.
    public func replace(_ old: borrowing Program, on target: HookTarget, expectedRevision: UInt64 = 0) throws(TCXError) {
        try world.replace(old.handle, with: handle, on: target, expectedRevision: expectedRevision)
    }

    /// Detaches this program's prog-mode attachment.
    public func detach(from target: HookTarget, expectedRevision: UInt64 = 0) throws(TCXError) {
        try world.detach(handle, from: target, expectedRevision: expectedRevision)
    }

    /// Attaches through a new link that owns the attachment: the program leaves the hook when
    /// the returned value goes, unless the link was pinned.
    public func link(to target: HookTarget, at anchor: Anchor = .tail, expectedRevision: UInt64 = 0) throws(TCXError) -> Link {
        Link(adopting: try world.link(handle, to: target, at: anchor, expectedRevision: expectedRevision), in: world)
    }

    /// BPF_PROG_TEST_RUN on `packet`.
    public func testRun(packet: [UInt8], repeat count: UInt32 = 1) throws(TCXError) -> TestRunResult {
        try world.testRun(handle, packet: packet, repeat: count)
    }
}
