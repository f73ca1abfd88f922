import BPFCore
import BPFObject
import Synchronization

/// An address as `union nf_inet_addr` holds it: 16 bytes in memory order, an IPv4 address in
/// the first 4 and zero after them. Two words, so a tuple is hashed and copied without a heap
/// allocation per lookup.
struct ConntrackAddress: Hashable, Sendable {
    var low: UInt64
    var high: UInt64

    /// The address of `size` (4 or 16) bytes at `offset`.
    init(_ bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) {
        if size == 16 {
            low = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            high = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
        } else {
            low = UInt64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            high = 0
        }
    }

    func store(into image: UnsafeMutableRawBufferPointer, at offset: Int) {
        image.storeBytes(of: low, toByteOffset: offset, as: UInt64.self)
        image.storeBytes(of: high, toByteOffset: offset + 8, as: UInt64.self)
    }
}

/// A connection's tuple in one direction, as `struct nf_conntrack_tuple` holds it: the family,
/// addresses and ports as the packet carries them (network order).
struct ConntrackTuple: Hashable, Sendable {
    /// AF_INET or AF_INET6.
    var family: UInt16
    var source: ConntrackAddress
    var destination: ConntrackAddress
    var sourcePort: UInt16
    var destinationPort: UInt16
    var protocolNumber: UInt8

    static let ipv4: UInt16 = 2, ipv6: UInt16 = 10
    /// The address bytes of the family.
    var addressSize: Int { family == Self.ipv4 ? 4 : 16 }

    /// The tuple the other direction's packets carry.
    var reversed: ConntrackTuple {
        ConntrackTuple(family: family, source: destination, destination: source, sourcePort: destinationPort,
                       destinationPort: sourcePort, protocolNumber: protocolNumber)
    }
}

/// `struct nf_conntrack_zone`: an id, and the directions (bit 0 original, bit 1 reply) it holds in.
struct ConntrackZone: Hashable, Sendable {
    var id: UInt16
    var directions: UInt8

    /// NF_CT_DEFAULT_ZONE_DIR: both directions.
    static let bothDirections: UInt8 = 3
    static let standard = ConntrackZone(id: 0, directions: bothDirections)

    /// The kernel's nf_ct_zone_id: the zone's id where it holds, else the default zone's 0.
    func id(in direction: Int) -> UInt16 { directions & (1 << direction) != 0 ? id : 0 }
}

/// Where the target BTF puts the `struct nf_conn` members the table keeps, in bytes.
struct ConntrackLayout: Sendable {
    struct TupleOffsets: Sendable {
        var source, sourcePort, family, destination, destinationPort, protocolNumber, direction: Int
    }
    let size: Int
    let timeout, zoneID, zoneDirections, status, mark: Int
    /// tuplehash[0].tuple and tuplehash[1].tuple.
    let tuples: [TupleOffsets]

    /// Nil unless every member is there, of the size written here, and inside the struct: the
    /// image is written at these offsets, so a BTF saying otherwise must not move a write out.
    init?(_ types: any KernelTypeCatalog) {
        guard let id = types.structureID(named: "nf_conn"), case .structure(let structure)? = types.type(id),
              structure.size > 0, structure.size <= KernelStructLayout.maxSize else { return nil }
        var extents: [(offset: Int, size: Int)] = []
        func byte(_ path: String, of owner: UInt32 = id, size: Int, base: Int = 0) -> Int? {
            guard let found = types.member(path, of: owner), found.bitfieldSize == 0, found.size == size else { return nil }
            extents.append((base + found.bitOffset / 8, size))
            return base + found.bitOffset / 8
        }
        guard let timeout = byte("timeout", size: 4), let zoneID = byte("zone.id", size: 2),
              let zoneDirections = byte("zone.dir", size: 1), let status = byte("status", size: 8),
              let mark = byte("mark", size: 4), let hashes = types.member("tuplehash", of: id),
              case .array(let element, _)? = types.type(hashes.type), let elementSize = types.size(of: element) else {
            return nil
        }
        func offsets(_ index: Int) -> TupleOffsets? {
            let start = hashes.bitOffset / 8 + index * elementSize
            guard let source = byte("tuple.src.u3", of: element, size: 16, base: start),
                  let sourcePort = byte("tuple.src.u", of: element, size: 2, base: start),
                  let family = byte("tuple.src.l3num", of: element, size: 2, base: start),
                  let destination = byte("tuple.dst.u3", of: element, size: 16, base: start),
                  let destinationPort = byte("tuple.dst.u", of: element, size: 2, base: start),
                  let protocolNumber = byte("tuple.dst.protonum", of: element, size: 1, base: start),
                  let direction = byte("tuple.dst.dir", of: element, size: 1, base: start) else { return nil }
            return TupleOffsets(source: source, sourcePort: sourcePort, family: family, destination: destination,
                                destinationPort: destinationPort, protocolNumber: protocolNumber, direction: direction)
        }
        guard let original = offsets(0), let reply = offsets(1),
              extents.allSatisfy({ $0.offset >= 0 && $0.offset + $0.size <= structure.size }) else { return nil }
        size = structure.size
        self.timeout = timeout
        self.zoneID = zoneID
        self.zoneDirections = zoneDirections
        self.status = status
        self.mark = mark
        tuples = [original, reply]
    }

    /// The layout of the process's CO-RE target (nil when it has no `struct nf_conn`).
    static let current: ConntrackLayout? = KernelTypeTarget.load().flatMap(ConntrackLayout.init)
}

/// One connection: its `struct nf_conn` image is where the program reads it and writes its mark,
/// and where the kfuncs keep its status, mark and timeout, so the image is always current.
/// Shared between the world's table and the runs holding it; like the kernel's entries, one
/// run's changes are seen by the others at once (hence unchecked: the bytes have no lock,
/// as the kernel's have none).
final class ConntrackEntry: @unchecked Sendable {
    let layout: ConntrackLayout
    let image: UnsafeMutableRawBufferPointer
    let original: ConntrackTuple
    private(set) var reply: ConntrackTuple
    let zone: ConntrackZone

    init(layout: ConntrackLayout, original: ConntrackTuple, zone: ConntrackZone) {
        self.layout = layout
        self.original = original
        reply = original.reversed
        self.zone = zone
        image = .allocate(byteCount: layout.size, alignment: 8)
        image.initializeMemory(as: UInt8.self, repeating: 0)
        image.storeBytes(of: zone.id, toByteOffset: layout.zoneID, as: UInt16.self)
        image.storeBytes(of: zone.directions, toByteOffset: layout.zoneDirections, as: UInt8.self)
        write(original, direction: 0)
        write(reply, direction: 1)
    }

    deinit { image.deallocate() }

    var address: UInt64 { UInt64(UInt(bitPattern: image.baseAddress)) }

    var status: UInt64 {
        get { image.load(fromByteOffset: layout.status, as: UInt64.self) }
        set { image.storeBytes(of: newValue, toByteOffset: layout.status, as: UInt64.self) }
    }

    var timeout: UInt32 {
        get { image.load(fromByteOffset: layout.timeout, as: UInt32.self) }
        set { image.storeBytes(of: newValue, toByteOffset: layout.timeout, as: UInt32.self) }
    }

    var confirmed: Bool { status & ConntrackStatus.confirmed != 0 }

    /// The kernel's nf_ct_is_expired: the timeout is a time stamp once the entry is in the table.
    func expired(now: UInt32) -> Bool { Int32(bitPattern: timeout &- now) <= 0 }

    /// The tuple of `direction` (0 original, 1 reply).
    func tuple(_ direction: Int) -> ConntrackTuple { direction == 0 ? original : reply }

    /// The reply tuple NAT gave the entry.
    func replace(reply tuple: ConntrackTuple) {
        reply = tuple
        write(tuple, direction: 1)
    }

    private func write(_ tuple: ConntrackTuple, direction: Int) {
        let at = layout.tuples[direction]
        tuple.source.store(into: image, at: at.source)
        tuple.destination.store(into: image, at: at.destination)
        image.storeBytes(of: tuple.sourcePort, toByteOffset: at.sourcePort, as: UInt16.self)
        image.storeBytes(of: tuple.destinationPort, toByteOffset: at.destinationPort, as: UInt16.self)
        image.storeBytes(of: tuple.family, toByteOffset: at.family, as: UInt16.self)
        image.storeBytes(of: tuple.protocolNumber, toByteOffset: at.protocolNumber, as: UInt8.self)
        image.storeBytes(of: UInt8(direction), toByteOffset: at.direction, as: UInt8.self)
    }
}

/// The `enum ip_conntrack_status` bits the kfuncs look at.
enum ConntrackStatus {
    static let expected: UInt64 = 1 << 0
    static let seenReply: UInt64 = 1 << 1
    static let assured: UInt64 = 1 << 2
    static let confirmed: UInt64 = 1 << 3
    static let sourceNAT: UInt64 = 1 << 4
    static let destinationNAT: UInt64 = 1 << 5
    static let sourceNATDone: UInt64 = 1 << 7
    static let destinationNATDone: UInt64 = 1 << 8
    static let dying: UInt64 = 1 << 9
    static let fixedTimeout: UInt64 = 1 << 10
    /// IPS_UNCHANGEABLE_MASK.
    static let unchangeable: UInt64 = 0xDBF9
    /// __IPS_MAX_BIT: the bits a change may set.
    static let known: UInt64 = 0xFFFF
}

/// A world's connection table (the kernel's is per network namespace): entries the programs
/// inserted, found by either direction's tuple in their zone. An expired entry is never found,
/// but stays in the table, in the way of an insert of its tuple (EEXIST, measured), until a
/// lookup of its tuple meets it (the kernel's lookup frees the expired entries it walks past)
/// or the kernel's garbage collector would have freed it (its scan interval is at most 60 s).
public final class ConntrackTable: Sendable {
    /// One direction of an entry as the kernel's hash chains hold it: the tuple, with the id its
    /// zone has in that direction.
    struct Key: Hashable, Sendable {
        var tuple: ConntrackTuple
        var zoneID: UInt16
        var direction: Int
    }

    private struct Entries: Sendable {
        var byKey: [Key: ConntrackEntry] = [:]
        /// When the expired entries were last collected (nil: never).
        var collected: UInt32?
    }

    private let entries = Mutex(Entries())
    /// GC_SCAN_INTERVAL_MAX, in ticks.
    static let collectedAfter = UInt32(60 * ClockHelpers.ticksPerSecond)
    /// How often the table looks for entries to collect, in ticks (a second).
    static let collectionInterval = UInt32(ClockHelpers.ticksPerSecond)

    public init() {}

    /// Entries in the table, expired ones not yet collected included.
    public var count: Int { entries.withLock { $0.byKey.count / 2 } }

    private static func keys(of entry: ConntrackEntry) -> [Key] {
        (0 ... 1).map { Key(tuple: entry.tuple($0), zoneID: entry.zone.id(in: $0), direction: $0) }
    }

    private static func remove(_ entry: ConntrackEntry, from table: inout Entries) {
        for key in keys(of: entry) where table.byKey[key] === entry { table.byKey[key] = nil }
    }

    /// Drops the entries expired for longer than the collector's longest scan, once a second.
    private static func collect(_ table: inout Entries, now: UInt32) {
        if let last = table.collected, Int32(bitPattern: now &- last) < Int32(collectionInterval) { return }
        table.collected = now
        let horizon = now &- collectedAfter
        table.byKey = table.byKey.filter { !$0.value.expired(now: horizon) }
    }

    /// The entry with `tuple` in `zone`, and the direction it matched (nf_conntrack_find_get).
    /// An expired entry met on the way is freed, never found.
    func find(_ tuple: ConntrackTuple, zone: ConntrackZone, now: UInt32) -> (ConntrackEntry, direction: Int)? {
        entries.withLock { table in
            Self.collect(&table, now: now)
            for direction in 0 ... 1 {
                let key = Key(tuple: tuple, zoneID: zone.id(in: direction), direction: direction)
                guard let entry = table.byKey[key] else { continue }
                if entry.expired(now: now) {
                    Self.remove(entry, from: &table)
                    continue
                }
                return (entry, direction)
            }
            return nil
        }
    }

    /// Adds a confirmed entry unless either of its tuples is already there in the zone of that
    /// direction (EEXIST), expired or not, as nf_conntrack_hash_check_insert checks.
    func insert(_ entry: ConntrackEntry, now: UInt32) -> LinuxErrno? {
        entries.withLock { table in
            Self.collect(&table, now: now)
            for direction in 0 ... 1 {
                for other in 0 ... 1 {
                    let key = Key(tuple: entry.tuple(direction), zoneID: entry.zone.id(in: other), direction: other)
                    if table.byKey[key] != nil { return .EEXIST }
                }
            }
            for key in Self.keys(of: entry) { table.byKey[key] = entry }
            return nil
        }
    }
}
