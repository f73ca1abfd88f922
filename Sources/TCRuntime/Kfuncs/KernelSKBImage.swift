import BPFCore
import BPFObject
import BPFVM

/// Where the target BTF puts the members of a kernel struct the embedded backend has values
/// for (by their index in the list asked for), worked out once per process.
struct KernelStructLayout: Sendable {
    struct Location: Sendable {
        var bitOffset: Int
        var bitfieldSize: Int
        var size: Int
    }
    let size: Int
    private let locations: [Location?]
    /// Larger structs are not imaged (net_device, the largest imaged, is about 2.5 KiB).
    static let maxSize = 8192

    init?(_ types: any KernelTypeCatalog, structure name: String, members: [String]) {
        guard let id = types.structureID(named: name), case .structure(let structure)? = types.type(id),
              structure.size > 0, structure.size <= Self.maxSize else { return nil }
        size = structure.size
        locations = members.map { member in
            guard let found = types.member(member, of: id) else { return nil }
            // Only what lies inside the struct is ever written.
            let end = found.bitfieldSize > 0 ? found.bitOffset + found.bitfieldSize : found.bitOffset + 8 * found.size
            guard found.bitOffset >= 0, end <= 8 * structure.size else { return nil }
            return Location(bitOffset: found.bitOffset, bitfieldSize: found.bitfieldSize, size: found.size)
        }
    }

    func location(_ index: Int) -> Location? { index < locations.count ? locations[index] : nil }

    /// How many members were asked for (each has a location or none).
    var memberCount: Int { locations.count }

    /// The layouts of the process's CO-RE target (nil when it has no such struct).
    static let skb: KernelStructLayout? = KernelTypeTarget.load().flatMap {
        KernelStructLayout($0, structure: "sk_buff", members: SKBMember.allCases.map(\.name))
    }
    static let device: KernelStructLayout? = KernelTypeTarget.load().flatMap {
        KernelStructLayout($0, structure: "net_device", members: DeviceMember.allCases.map(\.name))
    }
    static let socket: KernelStructLayout? = KernelTypeTarget.load().flatMap {
        KernelStructLayout($0, structure: "sock", members: SocketMember.allCases.map(\.name))
    }
}

/// The `struct net_device` members the embedded world knows of a device.
enum DeviceMember: Int, CaseIterable {
    case ifindex, mtu, name

    var name: String { "\(self)" }
}

/// The `struct sock` members of the socket test-run gives an skb, by the kernel's names.
enum SocketMember: Int, CaseIterable {
    case family, sourceIPv4, destinationIPv4, sourceIPv6, destinationIPv6

    var name: String {
        switch self {
        case .family: "__sk_common.skc_family"
        case .sourceIPv4: "__sk_common.skc_rcv_saddr"
        case .destinationIPv4: "__sk_common.skc_daddr"
        case .sourceIPv6: "__sk_common.skc_v6_rcv_saddr"
        case .destinationIPv6: "__sk_common.skc_v6_daddr"
        }
    }
}

/// The `struct sk_buff` members the embedded skb has values for, by the kernel's names.
enum SKBMember: Int, CaseIterable {
    case len, queueMapping, pktType, ipSummed, csumLevel, tstampType, l4Hash, swHash, encapsulation
    case tcIndex, priority, skbIif, hash, vlanProto, vlanTCI, mark, `protocol`, transportHeader
    case networkHeader, macHeader, tail, end, head, data, users, tstamp, dev, sk

    var name: String {
        switch self {
        case .queueMapping: "queue_mapping"
        case .pktType: "pkt_type"
        case .ipSummed: "ip_summed"
        case .csumLevel: "csum_level"
        case .tstampType: "tstamp_type"
        case .l4Hash: "l4_hash"
        case .swHash: "sw_hash"
        case .tcIndex: "tc_index"
        case .skbIif: "skb_iif"
        case .vlanProto: "vlan_proto"
        case .vlanTCI: "vlan_tci"
        case .transportHeader: "transport_header"
        case .networkHeader: "network_header"
        case .macHeader: "mac_header"
        default: "\(self)"
        }
    }
}

/// A zeroed, read-only block laid out as a kernel struct, its members set by index.
final class KernelStructImage {
    let layout: KernelStructLayout
    let bytes: UnsafeMutableRawBufferPointer
    /// How each member is stored, worked out from `layout` when the image is made: a fill
    /// stores ~30 members, and finding each one's location in the layout at every store
    /// (array reads, bounds checks, a bit loop for bitfields) was most of a cast.
    private let stores: UnsafeMutableBufferPointer<MemberStore>

    init(layout: KernelStructLayout) {
        self.layout = layout
        bytes = .allocate(byteCount: layout.size, alignment: 8)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
        stores = .allocate(capacity: layout.memberCount)
        for index in 0 ..< layout.memberCount { stores.initializeElement(at: index, to: MemberStore(layout.location(index))) }
    }

    deinit {
        bytes.deallocate()
        stores.deallocate()
    }

    var address: UInt64 { UInt64(UInt(bitPattern: bytes.baseAddress)) }

    /// Member `index` = `value` (little-endian; a member wider than 8 bytes gets 0 above them).
    @inline(__always)
    func set(_ index: Int, _ value: UInt64) {
        guard index >= 0, index < stores.count else { return }
        let store = stores[index]
        let base = bytes.baseAddress.unsafelyUnwrapped + Int(store.byte)
        switch store.kind {
        case .none: return
        case .byte: base.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case .half: base.storeBytes(of: UInt16(truncatingIfNeeded: value), toByteOffset: 0, as: UInt16.self)
        case .word: base.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: 0, as: UInt32.self)
        case .double: base.storeBytes(of: value, toByteOffset: 0, as: UInt64.self)
        case .bits: setBits(base, store, value)
        case .other: setSlowly(index, value)
        }
    }

    /// A bitfield inside one byte or two (what `MemberStore` makes `.bits`): read, masked, written.
    @inline(__always)
    private func setBits(_ base: UnsafeMutableRawPointer, _ store: MemberStore, _ value: UInt64) {
        let mask = (UInt16(1) << UInt16(store.width) &- 1) << UInt16(store.shift)
        let bits = UInt16(truncatingIfNeeded: value) << UInt16(store.shift) & mask
        if store.span == 1 {
            let old = base.load(as: UInt8.self)
            base.storeBytes(of: old & ~UInt8(truncatingIfNeeded: mask) | UInt8(truncatingIfNeeded: bits), as: UInt8.self)
        } else {
            let old = base.loadUnaligned(as: UInt16.self)
            base.storeBytes(of: old & ~mask | bits, toByteOffset: 0, as: UInt16.self)
        }
    }

    /// Members of other sizes and wide bitfields, from the layout as it is.
    @inline(never)
    private func setSlowly(_ index: Int, _ value: UInt64) {
        guard let location = layout.location(index) else { return }
        if location.bitfieldSize == 0 {
            let byte = location.bitOffset / 8
            // One store for the usual sizes: a cast fills ~30 members, byte by byte was most of it.
            switch location.size {
            case 1: return bytes.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: byte, as: UInt8.self)
            case 2: return bytes.storeBytes(of: UInt16(truncatingIfNeeded: value), toByteOffset: byte, as: UInt16.self)
            case 4: return bytes.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: byte, as: UInt32.self)
            case 8: return bytes.storeBytes(of: value, toByteOffset: byte, as: UInt64.self)
            default: break
            }
            for i in 0 ..< location.size {
                bytes[byte + i] = i < 8 ? UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) : 0
            }
            return
        }
        for bit in 0 ..< location.bitfieldSize {
            let position = location.bitOffset + bit
            let mask = UInt8(1) << UInt8(position % 8)
            if value >> UInt64(bit) & 1 != 0 { bytes[position / 8] |= mask } else { bytes[position / 8] &= ~mask }
        }
    }
}

/// How `KernelStructImage.set` stores one member: a plain store of its size, a bitfield within
/// two bytes (masked), or through the layout (`other`); `none` for a member the layout lacks.
struct MemberStore {
    enum Kind: UInt8 { case none, byte, half, word, double, bits, other }
    var kind: Kind
    var byte: Int32 = 0
    var shift: UInt8 = 0
    var width: UInt8 = 0
    /// Bytes a `.bits` member's bits touch: 1 or 2.
    var span: UInt8 = 0

    init(_ location: KernelStructLayout.Location?) {
        guard let location, location.bitOffset >= 0, location.bitOffset / 8 <= Int(Int32.max) else {
            kind = .none
            return
        }
        byte = Int32(location.bitOffset / 8)
        if location.bitfieldSize == 0 {
            switch location.size {
            case 1: kind = .byte
            case 2: kind = .half
            case 4: kind = .word
            case 8: kind = .double
            default: kind = .other
            }
            return
        }
        let shift = location.bitOffset % 8
        let touched = (shift + location.bitfieldSize + 7) / 8
        // Wider ones (none in sk_buff) keep the general bit loop.
        guard location.bitfieldSize <= 8, touched <= 2 else {
            kind = .other
            return
        }
        kind = .bits
        self.shift = UInt8(shift)
        width = UInt8(location.bitfieldSize)
        span = UInt8(touched)
    }
}

extension KernelStructImage {
    /// Member `index` = `value`'s bytes as they are, zero-padded or cut to the member's size.
    func set(_ index: Int, bytes value: [UInt8]) {
        guard let location = layout.location(index), location.bitfieldSize == 0 else { return }
        let byte = location.bitOffset / 8
        for i in 0 ..< location.size { bytes[byte + i] = i < value.count ? value[i] : 0 }
    }
}

/// A read-only `struct sk_buff` laid out as the target BTF says, filled from the embedded skb's
/// state, with the `struct net_device` its `dev` points at (ifindex, MTU and name) and the
/// `struct sock` its `sk` points at (family and addresses, as test-run's socket has them): what
/// `bpf_cast_to_kern_ctx` points a tc program at. Made once per run object, on the first cast;
/// filled at a cast and again when a load reaches it after a helper or a context store may have
/// changed the skb (`stale`), so it always shows the skb as it is.
final class KernelSKBImage {
    let skb: KernelStructImage
    let device: KernelStructImage?
    let socket: KernelStructImage?
    /// Set when the skb may have changed since the last fill.
    var stale = true

    init(skb layout: KernelStructLayout, device: KernelStructLayout?, socket: KernelStructLayout?) {
        skb = KernelStructImage(layout: layout)
        self.device = device.map(KernelStructImage.init)
        self.socket = socket.map(KernelStructImage.init)
    }

    var address: UInt64 { skb.address }

    /// Whether `address` lies in the `struct sk_buff` block.
    func holds(_ address: UInt64) -> Bool { address &- skb.address < UInt64(skb.bytes.count) }

    /// What `describe` last wrote: a cast with the same device writes nothing.
    private var described: (mtu: UInt32, name: String)?

    /// Grants `run` the blocks a program may read through the image's pointers: for the rest
    /// of the run (`TCRun.kernelImageGranted`, which `allows` reads; three grants appended and
    /// searched at every cast cost more than the cast).
    func grant(to run: TCRun) {
        run.kernelImageGranted = true
    }

    /// Whether a read of `[address, address + size)` lies inside one of the image's blocks.
    func allowsRead(_ address: UInt64, size: UInt64) -> Bool {
        MemoryRegion(skb.bytes, writable: false).contains(address, size: size, write: false)
            || device.map { MemoryRegion($0.bytes, writable: false).contains(address, size: size, write: false) } == true
            || socket.map { MemoryRegion($0.bytes, writable: false).contains(address, size: size, write: false) } == true
    }

    /// The kernel's values for `packet`, as its test-run and tc paths leave them. Members not
    /// set stay 0 (the block is never written anywhere else).
    func fill(from packet: SKBuff) {
        stale = false
        // Each field read in place, not the metadata copied: a copy retains its socket's and
        // tunnel's arrays (and releases them), ~100 instructions of each fill.
        let buffer = packet.buffer
        let headroom = buffer.kernelHeadroom
        // head and data are addresses: data is the packet's own, head lies the kernel's
        // headroom before it, so `data - head` and the header offsets agree with the kernel's.
        let data = UInt64(UInt(bitPattern: buffer.data.baseAddress))
        let image = skb
        // Inlined: a call per member retained and released the image around each store.
        @inline(__always) func set(_ member: SKBMember, _ value: UInt64) { image.set(member.rawValue, value) }
        set(.len, UInt64(packet.length))
        set(.queueMapping, UInt64(packet.metadata.queueMapping))
        set(.pktType, UInt64(packet.metadata.pktType))
        set(.ipSummed, packet.metadata.checksumUnnecessary ? 1 : 0)
        set(.csumLevel, UInt64(packet.metadata.checksumLevel))
        set(.tstampType, UInt64(packet.metadata.tstampType))
        set(.l4Hash, packet.metadata.l4Hash ? 1 : 0)
        set(.swHash, packet.metadata.softwareHash ? 1 : 0)
        set(.encapsulation, packet.metadata.encapsulation ? 1 : 0)
        set(.tcIndex, UInt64(packet.metadata.tcIndex))
        set(.priority, UInt64(packet.metadata.priority))
        set(.skbIif, UInt64(packet.metadata.ingressIfindex))
        set(.hash, UInt64(packet.metadata.hash))
        set(.vlanProto, packet.metadata.vlanPresent ? UInt64(packet.metadata.vlanProto.bigEndian) : 0)
        set(.vlanTCI, packet.metadata.vlanPresent ? UInt64(packet.metadata.vlanTCI) : 0)
        set(.mark, UInt64(packet.metadata.mark))
        set(.protocol, UInt64(packet.metadata.protocol.bigEndian))
        // Unset (as build_skb leaves it) until an L4 encapsulation sets it.
        set(.transportHeader, buffer.transportOffset.map { UInt64(max(0, headroom + $0)) } ?? 0xffff)
        set(.networkHeader, UInt64(max(0, headroom + buffer.networkOffset)))
        set(.macHeader, UInt64(max(0, headroom + buffer.macOffset)))
        set(.tail, UInt64(headroom + packet.length))
        set(.end, UInt64(buffer.kernelEnd))
        set(.head, data &- UInt64(headroom))
        set(.data, data)
        set(.tstamp, packet.metadata.tstamp)
        set(.users, 1)
        if let device, packet.metadata.ifindex != 0 {
            device.set(DeviceMember.ifindex.rawValue, UInt64(packet.metadata.ifindex))
            set(.dev, device.address)
        } else {
            set(.dev, 0)
        }
        set(.sk, packet.hasSocket ? socket?.address ?? 0 : 0)
    }

    /// What does not change during a run, filled at the cast: the device's MTU and name (as
    /// the world knows them; a cast with the same ones writes nothing).
    func describe(device known: (mtu: UInt32, name: String)?) {
        let mtu = known?.mtu ?? 0, name = known?.name ?? ""
        if let described, described.mtu == mtu, described.name == name { return }
        described = (mtu, name)
        if let device {
            device.set(DeviceMember.mtu.rawValue, UInt64(mtu))
            device.set(DeviceMember.name.rawValue, bytes: Array(name.utf8.prefix(15)))
        }
    }

    /// The ifindex of the device `describe` last wrote for the skb the run is on: set at the
    /// first cast on an skb (and when a cast finds the skb on another device), cleared when the
    /// run starts on another skb (`startSKB`). The world's device looked up at every cast (a
    /// locked dictionary lookup, the name copied and compared) cost more than the cast; a change
    /// the world makes to a device shows from the next skb on.
    var describedDevice: UInt32?

    /// The run starts on another skb: the image is filled and the device and socket described again.
    func startSKB() {
        stale = true
        describedDevice = nil
        socketDescribed = false
    }

    /// Whether the socket image shows the socket of the skb the run is on: set at the first
    /// cast on an skb, cleared when the run starts on another (`TCRun.prepare`). An skb's
    /// socket does not change while runs are on it, and copying and comparing it at every
    /// cast (two arrays retained and released, ~200 instructions) cost more than the cast.
    var socketDescribed = false

    /// The socket's image for `packet`, once per skb.
    func describeSocket(of packet: SKBuff) {
        guard !socketDescribed else { return }
        socketDescribed = true
        if let socket, let owner = packet.metadata.socket { fill(socket, from: owner) }
    }

    /// The socket's family and addresses, in the members of its address family.
    private func fill(_ image: KernelStructImage, from owner: SKBSocket) {
        func set(_ member: SocketMember, bytes: [UInt8]) { image.set(member.rawValue, bytes: bytes) }
        image.set(SocketMember.family.rawValue, UInt64(owner.family))
        let v4 = owner.source.count == 4
        set(.sourceIPv4, bytes: v4 ? owner.source : [])
        set(.destinationIPv4, bytes: v4 ? owner.destination : [])
        set(.sourceIPv6, bytes: v4 ? [] : owner.source)
        set(.destinationIPv6, bytes: v4 ? [] : owner.destination)
    }
}
