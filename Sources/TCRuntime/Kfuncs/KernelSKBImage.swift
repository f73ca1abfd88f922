import BPFCore
import BPFObject
import BPFVM

/// Where the target BTF puts the members of a kernel struct the embedded backend has values
/// for, worked out once per process.
struct KernelStructLayout: Sendable {
    struct Location: Sendable {
        var bitOffset: Int
        var bitfieldSize: Int
        var size: Int
    }
    let size: Int
    private let locations: [String: Location]
    /// Larger structs are not imaged (net_device, the largest imaged, is about 2.5 KiB).
    static let maxSize = 8192

    init?(_ types: any KernelTypeCatalog, structure name: String, members: [String]) {
        guard let id = types.structureID(named: name), case .structure(let structure)? = types.type(id),
              structure.size > 0, structure.size <= Self.maxSize else { return nil }
        size = structure.size
        var locations: [String: Location] = [:]
        for member in members {
            guard let found = types.member(member, of: id), found.size <= 8 else { continue }
            // Only what lies inside the struct is ever written.
            let end = found.bitfieldSize > 0 ? found.bitOffset + found.bitfieldSize : found.bitOffset + 8 * found.size
            guard found.bitOffset >= 0, end <= 8 * structure.size else { continue }
            locations[member] = Location(bitOffset: found.bitOffset, bitfieldSize: found.bitfieldSize, size: found.size)
        }
        self.locations = locations
    }

    func location(_ name: String) -> Location? { locations[name] }

    /// The `struct sk_buff` members the embedded skb has values for.
    static let skbMembers = [
        "len", "data_len", "mac_len", "hdr_len", "queue_mapping", "pkt_type", "ip_summed", "csum_level",
        "tstamp_type", "l4_hash", "sw_hash", "encapsulation", "tc_index", "priority", "skb_iif", "hash",
        "vlan_proto", "vlan_tci", "mark", "csum_start", "csum_offset", "protocol", "transport_header",
        "network_header", "mac_header", "tail", "end", "head", "data", "users", "tstamp", "dev",
    ]

    /// The layouts of the process's CO-RE target (nil when it has no `struct sk_buff`).
    static let skb: KernelStructLayout? = KernelTypeTarget.load().flatMap {
        KernelStructLayout($0, structure: "sk_buff", members: skbMembers)
    }
    static let device: KernelStructLayout? = KernelTypeTarget.load().flatMap {
        KernelStructLayout($0, structure: "net_device", members: ["ifindex"])
    }
}

/// A zeroed, read-only block laid out as a kernel struct, its members set by name.
final class KernelStructImage {
    let layout: KernelStructLayout
    let bytes: UnsafeMutableRawBufferPointer

    init(layout: KernelStructLayout) {
        self.layout = layout
        bytes = .allocate(byteCount: layout.size, alignment: 8)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { bytes.deallocate() }

    var address: UInt64 { UInt64(UInt(bitPattern: bytes.baseAddress)) }

    func clear() { bytes.initializeMemory(as: UInt8.self, repeating: 0) }

    func set(_ name: String, _ value: UInt64) {
        guard let location = layout.location(name) else { return }
        if location.bitfieldSize == 0 {
            let byte = location.bitOffset / 8
            for i in 0 ..< location.size { bytes[byte + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
            return
        }
        for bit in 0 ..< location.bitfieldSize {
            let position = location.bitOffset + bit
            let mask = UInt8(1) << UInt8(position % 8)
            if value >> UInt64(bit) & 1 != 0 { bytes[position / 8] |= mask } else { bytes[position / 8] &= ~mask }
        }
    }
}

/// A read-only `struct sk_buff` laid out as the target BTF says, filled from the embedded skb's
/// state, with the `struct net_device` its `dev` points at (only `ifindex` set): what
/// `bpf_cast_to_kern_ctx` points a tc program at. Made once per run object, on the first cast,
/// and filled again at every cast (a cast sees the skb as it is then).
final class KernelSKBImage {
    let skb: KernelStructImage
    let device: KernelStructImage?

    init(skb layout: KernelStructLayout, device: KernelStructLayout?) {
        skb = KernelStructImage(layout: layout)
        self.device = device.map(KernelStructImage.init)
    }

    var address: UInt64 { skb.address }

    /// Whether `address` lies in the `struct sk_buff` block.
    func holds(_ address: UInt64) -> Bool { address &- skb.address < UInt64(skb.bytes.count) }

    /// The blocks a program may read through the image's pointers.
    var regions: [UnsafeMutableRawBufferPointer] { [skb.bytes] + (device.map { [$0.bytes] } ?? []) }

    /// The kernel's values for `skb`, as its test-run and tc paths leave them.
    func fill(from packet: SKBuff) {
        skb.clear()
        let metadata = packet.metadata, buffer = packet.buffer
        let headroom = buffer.kernelHeadroom
        // head and data are addresses: data is the packet's own, head lies the kernel's
        // headroom before it, so `data - head` and the header offsets agree with the kernel's.
        let data = UInt64(UInt(bitPattern: buffer.data.baseAddress))
        skb.set("len", UInt64(packet.length))
        skb.set("queue_mapping", UInt64(metadata.queueMapping))
        skb.set("pkt_type", UInt64(metadata.pktType))
        skb.set("ip_summed", metadata.checksumUnnecessary ? 1 : 0)
        skb.set("csum_level", UInt64(metadata.checksumLevel))
        skb.set("tstamp_type", UInt64(metadata.tstampType))
        skb.set("l4_hash", metadata.l4Hash ? 1 : 0)
        skb.set("sw_hash", metadata.softwareHash ? 1 : 0)
        skb.set("encapsulation", metadata.encapsulation ? 1 : 0)
        skb.set("tc_index", UInt64(metadata.tcIndex))
        skb.set("priority", UInt64(metadata.priority))
        skb.set("skb_iif", UInt64(metadata.ingressIfindex))
        skb.set("hash", UInt64(metadata.hash))
        skb.set("vlan_proto", metadata.vlanPresent ? UInt64(metadata.vlanProto.bigEndian) : 0)
        skb.set("vlan_tci", metadata.vlanPresent ? UInt64(metadata.vlanTCI) : 0)
        skb.set("mark", UInt64(metadata.mark))
        skb.set("protocol", UInt64(metadata.protocol.bigEndian))
        skb.set("transport_header", 0xffff)  // unset, as build_skb leaves it
        skb.set("network_header", UInt64(max(0, headroom + buffer.networkOffset)))
        skb.set("mac_header", UInt64(max(0, headroom + buffer.macOffset)))
        skb.set("tail", UInt64(headroom + packet.length))
        skb.set("end", UInt64(buffer.kernelEnd))
        skb.set("head", data &- UInt64(headroom))
        skb.set("data", data)
        skb.set("tstamp", metadata.tstamp)
        skb.set("users", 1)
        if let device, metadata.ifindex != 0 {
            device.clear()
            device.set("ifindex", UInt64(metadata.ifindex))
            skb.set("dev", device.address)
        }
    }
}
