// Every number and byte offset the kernel backend sends to or reads from the kernel.
// Offsets are those of a 64-bit ABI (x86-64, arm64); see kernel-semantics.md §7.
// Nothing outside this file reads or writes raw `bpf_attr` or info-struct bytes.

/// bpf(2) commands (`enum bpf_cmd`) this backend issues.
enum BPFCommand: Int32, Sendable {
    case mapCreate = 0
    case mapLookupElem = 1
    case mapUpdateElem = 2
    case mapDeleteElem = 3
    case mapGetNextKey = 4
    case progLoad = 5
    case objPin = 6
    case objGet = 7
    case progAttach = 8
    case progDetach = 9
    case progTestRun = 10
    case progGetNextID = 11
    case progGetFDByID = 13
    case mapGetFDByID = 14
    case objGetInfoByFD = 15
    case progQuery = 16
    case btfLoad = 18
    case mapFreeze = 22
    case linkCreate = 28
    case linkUpdate = 29
    case linkGetFDByID = 30
    case linkGetNextID = 31
    case linkDetach = 34

    /// The kernel's name, used to prefix error reasons.
    var name: String {
        switch self {
        case .mapCreate: "BPF_MAP_CREATE"
        case .mapLookupElem: "BPF_MAP_LOOKUP_ELEM"
        case .mapUpdateElem: "BPF_MAP_UPDATE_ELEM"
        case .mapDeleteElem: "BPF_MAP_DELETE_ELEM"
        case .mapGetNextKey: "BPF_MAP_GET_NEXT_KEY"
        case .mapFreeze: "BPF_MAP_FREEZE"
        case .progLoad: "BPF_PROG_LOAD"
        case .objPin: "BPF_OBJ_PIN"
        case .objGet: "BPF_OBJ_GET"
        case .progAttach: "BPF_PROG_ATTACH"
        case .progDetach: "BPF_PROG_DETACH"
        case .progTestRun: "BPF_PROG_TEST_RUN"
        case .progGetNextID: "BPF_PROG_GET_NEXT_ID"
        case .progGetFDByID: "BPF_PROG_GET_FD_BY_ID"
        case .mapGetFDByID: "BPF_MAP_GET_FD_BY_ID"
        case .objGetInfoByFD: "BPF_OBJ_GET_INFO_BY_FD"
        case .progQuery: "BPF_PROG_QUERY"
        case .btfLoad: "BPF_BTF_LOAD"
        case .linkCreate: "BPF_LINK_CREATE"
        case .linkUpdate: "BPF_LINK_UPDATE"
        case .linkGetFDByID: "BPF_LINK_GET_FD_BY_ID"
        case .linkGetNextID: "BPF_LINK_GET_NEXT_ID"
        case .linkDetach: "BPF_LINK_DETACH"
        }
    }

    /// How many attr bytes the kernel is told about. PROG_ATTACH/DETACH and PROG_QUERY use
    /// the size that ends at their last field (as libbpf does); the rest pass the whole union,
    /// whose unused tail is zero.
    var attrSize: Int {
        switch self {
        case .progAttach, .progDetach: 32
        case .progQuery: 64
        default: BPFAttr.unionSize
        }
    }
}

/// A fixed-width field at a byte offset of a kernel struct.
struct KernelField: Sendable {
    let offset: Int
    let width: Int
    init(_ offset: Int, _ width: Int) {
        precondition(width == 1 || width == 2 || width == 4 || width == 8)
        self.offset = offset
        self.width = width
    }
}

/// A byte array field (names) at an offset.
struct KernelBytesField: Sendable {
    let offset: Int
    let count: Int
}

/// Kernel structs in native byte order: a zeroed buffer with typed field access.
struct KernelStruct: Sendable {
    private(set) var bytes: [UInt8]

    init(size: Int) { bytes = [UInt8](repeating: 0, count: size) }

    mutating func set(_ field: KernelField, _ value: UInt64) {
        bytes.withUnsafeMutableBytes { raw in
            switch field.width {
            case 1: raw.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: field.offset, as: UInt8.self)
            case 2: raw.storeBytes(of: UInt16(truncatingIfNeeded: value), toByteOffset: field.offset, as: UInt16.self)
            case 4: raw.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: field.offset, as: UInt32.self)
            default: raw.storeBytes(of: value, toByteOffset: field.offset, as: UInt64.self)
            }
        }
    }

    mutating func set(_ field: KernelField, _ value: UInt32) { set(field, UInt64(value)) }

    /// Stores a user-space address (u64 in the kernel's structs); nil is NULL.
    mutating func set(_ field: KernelField, pointer: UnsafeRawPointer?) {
        set(field, UInt64(UInt(bitPattern: pointer)))
    }

    /// Copies `value` into a byte-array field, truncated to leave a terminating zero.
    mutating func set(_ field: KernelBytesField, _ value: [UInt8]) {
        for (i, byte) in value.prefix(field.count - 1).enumerated() { bytes[field.offset + i] = byte }
    }

    func get(_ field: KernelField) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            switch field.width {
            case 1: UInt64(raw.loadUnaligned(fromByteOffset: field.offset, as: UInt8.self))
            case 2: UInt64(raw.loadUnaligned(fromByteOffset: field.offset, as: UInt16.self))
            case 4: UInt64(raw.loadUnaligned(fromByteOffset: field.offset, as: UInt32.self))
            default: raw.loadUnaligned(fromByteOffset: field.offset, as: UInt64.self)
            }
        }
    }

    func get32(_ field: KernelField) -> UInt32 { UInt32(truncatingIfNeeded: get(field)) }

    /// A zero-terminated byte-array field as text.
    func string(_ field: KernelBytesField) -> String {
        let slice = bytes[field.offset..<field.offset + field.count]
        return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
    }

    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeMutableBytes(body)
    }
}

/// `union bpf_attr`: always the whole 168 bytes, zeroed, so every field a command does not use
/// (and every byte after its last field) reaches the kernel as zero.
enum BPFAttr {
    static let unionSize = 168
    static func zeroed() -> KernelStruct { KernelStruct(size: unionSize) }

    /// BPF_PROG_LOAD.
    enum ProgLoad {
        static let progType = KernelField(0, 4)
        static let insnCount = KernelField(4, 4)
        static let insns = KernelField(8, 8)
        static let license = KernelField(16, 8)
        static let logLevel = KernelField(24, 4)
        static let logSize = KernelField(28, 4)
        static let logBuffer = KernelField(32, 8)
        static let progName = KernelBytesField(offset: 48, count: 16)
        static let expectedAttachType = KernelField(68, 4)
        static let progBTFFD = KernelField(72, 4)
        static let funcInfoRecSize = KernelField(76, 4)
        static let funcInfo = KernelField(80, 8)
        static let funcInfoCount = KernelField(88, 4)
    }

    /// BPF_BTF_LOAD.
    enum BTFLoad {
        static let btf = KernelField(0, 8)
        static let logBuffer = KernelField(8, 8)
        static let size = KernelField(16, 4)
        static let logSize = KernelField(20, 4)
        static let logLevel = KernelField(24, 4)
    }

    /// BPF_OBJ_PIN / BPF_OBJ_GET.
    enum Object {
        static let pathname = KernelField(0, 8)
        static let bpfFD = KernelField(8, 4)
        static let fileFlags = KernelField(12, 4)
    }

    /// BPF_PROG_ATTACH / BPF_PROG_DETACH.
    enum Attach {
        static let targetIfindex = KernelField(0, 4)
        static let attachBPFFD = KernelField(4, 4)
        static let attachType = KernelField(8, 4)
        static let attachFlags = KernelField(12, 4)
        static let replaceBPFFD = KernelField(16, 4)
        static let relative = KernelField(20, 4)
        static let expectedRevision = KernelField(24, 8)
    }

    /// BPF_PROG_TEST_RUN.
    enum TestRun {
        static let progFD = KernelField(0, 4)
        static let retval = KernelField(4, 4)
        static let dataSizeIn = KernelField(8, 4)
        static let dataSizeOut = KernelField(12, 4)
        static let dataIn = KernelField(16, 8)
        static let dataOut = KernelField(24, 8)
        static let repeatCount = KernelField(32, 4)
        static let duration = KernelField(36, 4)
    }

    /// BPF_PROG_GET_FD_BY_ID / BPF_LINK_GET_FD_BY_ID: the id shares offset 0.
    enum GetFDByID {
        static let id = KernelField(0, 4)
    }

    /// BPF_PROG_GET_NEXT_ID / BPF_LINK_GET_NEXT_ID.
    enum GetNextID {
        static let startID = KernelField(0, 4)
        static let nextID = KernelField(4, 4)
    }

    /// BPF_OBJ_GET_INFO_BY_FD.
    enum Info {
        static let bpfFD = KernelField(0, 4)
        static let infoLength = KernelField(4, 4)
        static let info = KernelField(8, 8)
    }

    /// BPF_PROG_QUERY.
    enum Query {
        static let targetIfindex = KernelField(0, 4)
        static let attachType = KernelField(4, 4)
        static let queryFlags = KernelField(8, 4)
        static let attachFlags = KernelField(12, 4)
        static let progIDs = KernelField(16, 8)
        static let count = KernelField(24, 4)
        static let progAttachFlags = KernelField(32, 8)
        static let linkIDs = KernelField(40, 8)
        static let linkAttachFlags = KernelField(48, 8)
        static let revision = KernelField(56, 8)
    }

    /// BPF_LINK_CREATE with the tcx/netkit sub-struct (same layout for both).
    enum LinkCreate {
        static let progFD = KernelField(0, 4)
        static let targetIfindex = KernelField(4, 4)
        static let attachType = KernelField(8, 4)
        static let flags = KernelField(12, 4)
        static let relative = KernelField(16, 4)
        static let expectedRevision = KernelField(24, 8)
    }

    /// BPF_LINK_UPDATE.
    enum LinkUpdate {
        static let linkFD = KernelField(0, 4)
        static let newProgFD = KernelField(4, 4)
        static let flags = KernelField(8, 4)
        static let oldProgFD = KernelField(12, 4)
    }

    /// BPF_LINK_DETACH.
    enum LinkDetach {
        static let linkFD = KernelField(0, 4)
    }

    /// BPF_MAP_CREATE (the fields of maps without BTF).
    enum MapCreate {
        static let mapType = KernelField(0, 4)
        static let keySize = KernelField(4, 4)
        static let valueSize = KernelField(8, 4)
        static let maxEntries = KernelField(12, 4)
        static let mapFlags = KernelField(16, 4)
        static let mapName = KernelBytesField(offset: 28, count: 16)
        static let innerMapFD = KernelField(20, 4)
        static let btfFD = KernelField(48, 4)
        static let btfKeyTypeID = KernelField(52, 4)
        static let btfValueTypeID = KernelField(56, 4)
        static let mapExtra = KernelField(64, 8)
    }

    /// BPF_MAP_LOOKUP_ELEM / UPDATE_ELEM / DELETE_ELEM / GET_NEXT_KEY: `value` doubles as
    /// `next_key` for GET_NEXT_KEY.
    enum MapElem {
        static let mapFD = KernelField(0, 4)
        static let key = KernelField(8, 8)
        static let value = KernelField(16, 8)
        static let flags = KernelField(24, 8)
    }

    /// BPF_MAP_FREEZE.
    enum MapFreeze {
        static let mapFD = KernelField(0, 4)
    }
}

/// `struct bpf_prog_info` (the fields read here).
enum ProgInfoLayout {
    static let size = 232
    static let type = KernelField(0, 4)
    static let id = KernelField(4, 4)
    static let tag = KernelBytesField(offset: 8, count: 8)
    static let jitedLength = KernelField(16, 4)       // jited_prog_len
    static let xlatedLength = KernelField(20, 4)      // xlated_prog_len
    static let loadTime = KernelField(40, 8)          // load_time, ns since boot
    static let createdByUID = KernelField(48, 4)      // created_by_uid
    static let mapIDCount = KernelField(52, 4)        // nr_map_ids
    static let mapIDs = KernelField(56, 8)            // map_ids (user pointer)
    static let name = KernelBytesField(offset: 64, count: 16)
    static let flags = KernelField(84, 4)             // gpl_compatible is bit 0
    static let btfID = KernelField(128, 4)            // btf_id
}

/// `struct bpf_link_info` with its tcx/netkit member.
enum LinkInfoLayout {
    static let size = 64
    static let type = KernelField(0, 4)
    static let id = KernelField(4, 4)
    static let progID = KernelField(8, 4)
    static let ifindex = KernelField(16, 4)
    static let attachType = KernelField(20, 4)
}

/// `struct bpf_map_info` up to and including `map_extra` (older kernels than 6.18 know no more).
enum MapInfoLayout {
    static let size = 88
    static let type = KernelField(0, 4)
    static let id = KernelField(4, 4)
    static let keySize = KernelField(8, 4)
    static let valueSize = KernelField(12, 4)
    static let maxEntries = KernelField(16, 4)
    static let mapFlags = KernelField(20, 4)
    static let name = KernelBytesField(offset: 24, count: 16)
}

/// BPF_OBJ_NAME_LEN: program names hold at most 15 characters and a terminating zero.
let bpfObjectNameLength = 16

/// rtnetlink: message headers, link messages and their attributes.
enum NetlinkABI {
    static let protocolRoute: Int32 = 0          // NETLINK_ROUTE
    static let solNetlink: Int32 = 270           // SOL_NETLINK
    static let optCapAck: Int32 = 10             // NETLINK_CAP_ACK
    static let optExtendedAck: Int32 = 11        // NETLINK_EXT_ACK

    // struct nlmsghdr (16 bytes).
    static let headerSize = 16
    static let headerLength = KernelField(0, 4)
    static let headerType = KernelField(4, 2)
    static let headerFlags = KernelField(6, 2)
    static let headerSequence = KernelField(8, 4)
    static let headerPort = KernelField(12, 4)

    // Message types.
    static let msgNoop: UInt16 = 1
    static let msgError: UInt16 = 2
    static let msgDone: UInt16 = 3
    static let newLink: UInt16 = 16              // RTM_NEWLINK
    static let delLink: UInt16 = 17              // RTM_DELLINK
    static let getLink: UInt16 = 18              // RTM_GETLINK

    // Header flags.
    static let flagRequest: UInt16 = 0x1
    static let flagMulti: UInt16 = 0x2
    static let flagAck: UInt16 = 0x4
    static let flagDump: UInt16 = 0x300
    static let flagExclusive: UInt16 = 0x200
    static let flagCreate: UInt16 = 0x400
    static let flagAckTLVs: UInt16 = 0x200       // on NLMSG_ERROR: extended ack attributes follow

    // struct nlmsgerr: the errno (negative) then the offending request's header.
    static let errorCode = KernelField(16, 4)
    static let errorAttrMessage: UInt16 = 1      // NLMSGERR_ATTR_MSG

    // struct ifinfomsg (16 bytes).
    static let ifinfoSize = 16
    static let ifinfoFamily = KernelField(0, 1)
    static let ifinfoType = KernelField(2, 2)
    static let ifinfoIndex = KernelField(4, 4)
    static let ifinfoFlags = KernelField(8, 4)
    static let ifinfoChange = KernelField(12, 4)
    static let iffUp: UInt32 = 0x1
    static let arphrdLoopback: UInt16 = 772

    // struct rtattr / nlattr header (4 bytes), payload aligned to 4.
    static let attrHeaderSize = 4
    static let attrTypeMask: UInt16 = 0x3fff     // strips NLA_F_NESTED / NLA_F_NET_BYTEORDER

    // IFLA_* link attributes.
    static let iflaIfname: UInt16 = 3
    static let iflaLink: UInt16 = 5
    static let iflaLinkinfo: UInt16 = 18
    static let iflaInfoKind: UInt16 = 1
    static let iflaInfoData: UInt16 = 2
    static let vethInfoPeer: UInt16 = 1

    // IFLA_NETKIT_*.
    static let netkitPeerInfo: UInt16 = 1
    static let netkitPrimary: UInt16 = 2
    static let netkitPolicy: UInt16 = 3
    static let netkitPeerPolicy: UInt16 = 4
    static let netkitMode: UInt16 = 5
    static let netkitModeL2: UInt32 = 0
    static let netkitModeL3: UInt32 = 1
    static let netkitPass: UInt32 = 0
    static let netkitDrop: UInt32 = 2
}

/// rtnetlink traffic control (qdiscs, filters, cls_bpf) and addresses, beyond `NetlinkABI`'s link requests.
enum HostNetlinkABI {
    static let iflaLinkNetnsid: UInt16 = 37      // IFLA_LINK_NETNSID

    static let newAddress: UInt16 = 20           // RTM_NEWADDR
    static let newQdisc: UInt16 = 36             // RTM_NEWQDISC
    static let getQdisc: UInt16 = 38             // RTM_GETQDISC
    static let newFilter: UInt16 = 44            // RTM_NEWTFILTER
    static let delFilter: UInt16 = 45            // RTM_DELTFILTER
    static let getFilter: UInt16 = 46            // RTM_GETTFILTER

    // struct tcmsg (20 bytes).
    static let tcmsgSize = 20
    static let tcmIfindex = KernelField(4, 4)
    static let tcmHandle = KernelField(8, 4)
    static let tcmParent = KernelField(12, 4)
    static let tcmInfo = KernelField(16, 4)      // filters: priority << 16 | protocol (network order)

    static let ingressParent: UInt32 = 0xFFFF_FFF1  // TC_H_INGRESS == TC_H_CLSACT: the qdisc at ffff:
    static let clsactHandle: UInt32 = 0xFFFF_0000   // TC_H_MAKE(TC_H_CLSACT, 0): the qdisc's own handle
    static let clsactIngress: UInt32 = 0xFFFF_FFF2  // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
    static let clsactEgress: UInt32 = 0xFFFF_FFF3   // TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

    static let tcaKind: UInt16 = 1               // TCA_KIND
    static let tcaOptions: UInt16 = 2            // TCA_OPTIONS
    static let tcaBPFFD: UInt16 = 6              // TCA_BPF_FD
    static let tcaBPFName: UInt16 = 7            // TCA_BPF_NAME
    static let tcaBPFFlags: UInt16 = 8           // TCA_BPF_FLAGS
    static let tcaBPFID: UInt16 = 11             // TCA_BPF_ID
    static let tcaBPFFlagActDirect: UInt32 = 1   // TCA_BPF_FLAG_ACT_DIRECT

    static let ethPAll: UInt16 = 0x0003          // ETH_P_ALL: a filter's protocol, every frame
    static let afInet: UInt8 = 2                 // AF_INET

    // struct ifaddrmsg (8 bytes).
    static let ifaddrSize = 8
    static let ifaFamily = KernelField(0, 1)
    static let ifaPrefixLength = KernelField(1, 1)
    static let ifaScope = KernelField(3, 1)
    static let ifaIndex = KernelField(4, 4)
    static let ifaAddress: UInt16 = 1            // IFA_ADDRESS
    static let ifaLocal: UInt16 = 2              // IFA_LOCAL
}
