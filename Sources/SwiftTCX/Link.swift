import TCX

/// A tcx or netkit link that owns its descriptor: the attachment belongs to whoever holds the
/// link. When the last descriptor goes (this value, or the process ending) the program leaves
/// the hook, unless the link is pinned; nobody else can replace it meanwhile.
public struct Link: ~Copyable, Sendable {
    public let world: any TCXSystem
    /// The raw handle, for the raw `TCXSystem` requests. Valid while this value lives.
    public private(set) var handle: Handle

    /// Takes ownership of a raw link handle of `world`.
    public init(adopting handle: Handle, in world: any TCXSystem) {
        self.world = world
        self.handle = handle
    }

    /// Opens the link pinned at `path`, e.g. one a previous run of the service left.
    public init(pinned path: PinPath, in world: any TCXSystem) throws(TCXError) {
        self.init(adopting: try OwnedHandle.openPinned(path, as: .link, in: world), in: world)
    }

    /// Opens the link with this id (BPF_LINK_GET_FD_BY_ID).
    public init(id: UInt32, in world: any TCXSystem) throws(TCXError) {
        self.init(adopting: try world.link(byID: id), in: world)
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

    /// A second descriptor to the same link: the attachment stays while either lives.
    public func duplicate() throws(TCXError) -> Link {
        Link(adopting: try world.duplicate(handle), in: world)
    }

    /// BPF_OBJ_GET_INFO_BY_FD: its id, program, device (0 once defunct) and hook.
    public var info: LinkInfo { get throws(TCXError) { try world.linkInfo(handle) } }

    public var id: UInt32 { get throws(TCXError) { try info.id } }

    /// BPF_OBJ_PIN: the attachment outlives every descriptor, until the pin is removed.
    public func pin(at path: PinPath) throws(TCXError) {
        try world.pin(handle, at: path)
    }

    /// Swaps the program the link runs, in its place on the hook.
    public func update(to program: borrowing Program) throws(TCXError) {
        try world.update(handle, to: program.handle)
    }

    /// Swaps the program only if the link still runs `old` (EPERM otherwise): a safe
    /// read-modify-write between processes that share a pinned link.
    public func update(to program: borrowing Program, expecting old: borrowing Program) throws(TCXError) {
        try world.update(handle, to: program.handle, expecting: old.handle)
    }

    /// BPF_LINK_DETACH: the program leaves the hook now; the link stays open but defunct.
    public func detach() throws(TCXError) {
        try world.detachLink(handle)
    }
}
