import BPFCore

/// One isolated world of BPF objects and network devices: the API both backends implement.
///
/// Every method is one kernel operation with the kernel's semantics: a refused call throws a
/// `TCXError` carrying the errno the kernel gives and leaves every state exactly as it was.
/// The raw requests pass their fields through unchanged, so invalid combinations can be tried;
/// `Anchor` and the helpers in `TCXSystem+Anchors.swift` build them for everyday use.
public protocol TCXSystem: AnyObject, Sendable {
    /// `"embedded"` or `"kernel"`.
    var backendName: String { get }

    // MARK: Programs and handles
    /// BPF_PROG_LOAD. Returns a new handle (+1 reference).
    func loadProgram(_ spec: ProgramSpec) throws(TCXError) -> Handle
    /// close(2) of a handle. The object goes when its last reference does.
    func close(_ handle: Handle) throws(TCXError)
    /// dup(2): a second handle to the same open file.
    func duplicate(_ handle: Handle) throws(TCXError) -> Handle
    /// BPF_OBJ_GET_INFO_BY_FD on a program.
    func programInfo(_ handle: Handle) throws(TCXError) -> ProgramInfo
    /// BPF_OBJ_GET_INFO_BY_FD on a link.
    func linkInfo(_ handle: Handle) throws(TCXError) -> LinkInfo
    /// What a handle refers to; EBADF when it is not open.
    func kind(of handle: Handle) throws(TCXError) -> ObjectKind
    /// BPF_PROG_GET_FD_BY_ID.
    func program(byID id: UInt32) throws(TCXError) -> Handle
    /// BPF_LINK_GET_FD_BY_ID.
    func link(byID id: UInt32) throws(TCXError) -> Handle

    // MARK: Pins
    /// BPF_OBJ_PIN into the world's pin namespace.
    func pin(_ handle: Handle, at path: PinPath) throws(TCXError)
    /// BPF_OBJ_GET: a new handle to a pinned object.
    func getPinned(_ path: PinPath) throws(TCXError) -> Handle
    /// unlink(2) of a pin; returns only after any detach the last reference caused.
    func unpin(_ path: PinPath) throws(TCXError)

    // MARK: Devices
    /// A veth pair, both up.
    func createVeth(name: String, peer: String) throws(TCXError) -> (UInt32, UInt32)
    /// A netkit pair; EOPNOTSUPP where the backend has no netkit.
    func createNetkit(_ spec: NetkitSpec) throws(TCXError) -> (UInt32, UInt32)
    /// Deletes a device and its peer.
    func deleteDevice(ifindex: UInt32) throws(TCXError)
    /// Every device of the world, loopback first.
    func devices() throws(TCXError) -> [DeviceInfo]

    // MARK: Multi-program hooks
    func attach(_ request: RawAttach) throws(TCXError)
    func detach(_ request: RawDetach) throws(TCXError)
    /// BPF_LINK_CREATE. Returns the link's handle.
    func createLink(_ request: RawLinkCreate) throws(TCXError) -> Handle
    func updateLink(_ request: RawLinkUpdate) throws(TCXError)
    /// BPF_LINK_DETACH.
    func detachLink(_ link: Handle) throws(TCXError)
    /// BPF_PROG_QUERY. ENOSPC is not thrown: it comes back as `truncated`.
    func query(_ request: RawQuery) throws(TCXError) -> QueryReply

    // MARK: Running programs
    /// BPF_PROG_TEST_RUN with `packet` as data_in.
    func testRun(_ program: Handle, packet: [UInt8], repeat count: UInt32) throws(TCXError) -> TestRunResult
    /// Sends a packet through one hook's chain as the datapath would (EOPNOTSUPP where the
    /// backend cannot observe it).
    func run(_ target: HookTarget, packet: [UInt8]) throws(TCXError) -> RunResult

    /// Releases the world: every handle closes, devices and pins go.
    func shutdown()
}
