/// One argument of a helper's prototype, as the kernel's `enum bpf_arg_type` declares it: a base
/// type and its flags (PTR_MAYBE_NULL, MEM_RDONLY, MEM_UNINIT, OBJ_RELEASE).
struct HelperArgument: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        case anything, context, mapPointer, mapKey, mapValue, memory
        case size, sizeOrZero, allocationSize, number
        case socketCommon, btfSocketCommon, socket, btfObject, perCPUObject
        case spinLock, ringbufRecord, function, stack, constantString, timer, kptrDestination, dynptr
    }

    struct Flags: OptionSet, Hashable, Sendable {
        let rawValue: UInt8
        /// NULL (the constant 0) may be passed instead.
        static let nullable = Flags(rawValue: 1)
        /// The helper only reads the memory.
        static let readOnly = Flags(rawValue: 2)
        /// The helper writes the memory before reading it: it need not be initialised.
        static let uninitialized = Flags(rawValue: 4)
        /// The helper releases the reference the argument holds.
        static let release = Flags(rawValue: 8)
    }

    let kind: Kind
    let flags: Flags
    /// ARG_PTR_TO_FIXED_SIZE_MEM: the bytes the prototype fixes.
    let bytes: Int?

    init(_ kind: Kind, _ flags: Flags = [], bytes: Int? = nil) {
        self.kind = kind
        self.flags = flags
        self.bytes = bytes
    }

    /// Whether the argument is a size (ARG_CONST_SIZE[_OR_ZERO]) of the memory before it.
    var isSize: Bool { kind == .size || kind == .sizeOrZero }

    /// The register types the kernel lists as expected (`compatible_reg_types`), in its log's
    /// words and order; empty for ARG_ANYTHING.
    var expected: [String] {
        switch kind {
        case .anything: return []
        case .size, .sizeOrZero, .allocationSize, .number: return Self.scalarTypes
        case .context: return Self.contextTypes
        case .mapPointer: return Self.mapTypes
        case .mapKey, .mapValue, .memory: return Self.memoryTypes
        case .socketCommon: return Self.socketTypes
        case .btfSocketCommon: return Self.btfSocketTypes
        case .socket: return Self.fullSocketTypes
        case .btfObject: return Self.btfTypes
        case .perCPUObject: return Self.perCPUTypes
        case .spinLock, .kptrDestination: return Self.allocatedTypes
        case .ringbufRecord: return Self.recordTypes
        case .function: return Self.functionTypes
        case .stack: return Self.stackTypes
        case .constantString, .timer: return Self.mapValueTypes
        case .dynptr: return Self.dynptrTypes
        }
    }

    /// The register types that match: the expected ones, less an allocated object's `ptr_`,
    /// which names a different type than a plain BTF pointer's.
    var accepted: [String] {
        kind == .spinLock || kind == .kptrDestination ? Self.mapValueTypes : expected
    }

    // Built once: the check runs on every helper call of every path.
    private static let scalarTypes = ["scalar"], contextTypes = ["ctx"], mapTypes = ["map_ptr"]
    private static let memoryTypes = ["fp", "pkt", "pkt_meta", "map_key", "map_value", "mem", "ringbuf_mem", "buf", "trusted_ptr_"]
    private static let socketTypes = ["sock_common", "sock", "tcp_sock", "xdp_sock"]
    private static let btfSocketTypes = socketTypes + ["ptr_", "trusted_ptr_"]
    private static let fullSocketTypes = ["sock"], btfTypes = ["ptr_", "trusted_ptr_", "rcu_ptr_"]
    private static let perCPUTypes = ["percpu_ptr_", "percpu_rcu_ptr_", "percpu_trusted_ptr_"]
    /// The second is an object of the program's own allocation (ptr_ | MEM_ALLOC).
    private static let allocatedTypes = ["map_value", "ptr_"]
    private static let recordTypes = ["ringbuf_mem"], functionTypes = ["func"], stackTypes = ["fp"]
    private static let mapValueTypes = ["map_value"], dynptrTypes = ["fp", "dynptr_ptr"]
}
