import BPFCore
@testable import BPFMaps
import Testing

/// Device, CPU and socket maps without a kernel: every expectation here was measured with raw
/// bpf(2) calls on Linux 6.18 (2 possible CPUs, a fresh network namespace whose devices are lo
/// and one veth). RedirectMapErrnoTests runs the same calls against the kernel itself.
struct RedirectMapTests {
    struct Creation: CustomStringConvertible, Sendable {
        let type: MapType
        let key: UInt32, value: UInt32, max: UInt32, flags: UInt32
        let expected: LinuxErrno?
        var description: String { "\(type) key \(key) value \(value) max \(max) flags 0x\(String(flags, radix: 16))" }
    }

    static let creations: [Creation] = [
        Creation(type: .devmap, key: 4, value: 8, max: 1, flags: 0x4 | 0x8, expected: nil),
        Creation(type: .devmap, key: 4, value: 12, max: 1, flags: 0, expected: .EINVAL),
        Creation(type: .devmap, key: 4, value: 4, max: 1, flags: 0x80, expected: .EINVAL),
        Creation(type: .devmap, key: 4, value: 4, max: 0xffff_ffff, flags: 0, expected: .ENOMEM),
        Creation(type: .devmapHash, key: 4, value: 4, max: 1 << 31, flags: 0, expected: nil),
        Creation(type: .devmapHash, key: 4, value: 4, max: (1 << 31) + 1, flags: 0, expected: .EINVAL),
        Creation(type: .cpumap, key: 4, value: 8, max: 256, flags: 0x4, expected: nil),
        Creation(type: .cpumap, key: 4, value: 4, max: 257, flags: 0, expected: .E2BIG),
        Creation(type: .cpumap, key: 4, value: 4, max: 257, flags: 0x8, expected: .EINVAL),
        Creation(type: .cpumap, key: 4, value: 4, max: 1, flags: 0x10, expected: .EINVAL),
        Creation(type: .xskmap, key: 4, value: 8, max: 1, flags: 0, expected: .EINVAL),
        Creation(type: .xskmap, key: 4, value: 4, max: 1, flags: 0x10, expected: nil),
        Creation(type: .sockmap, key: 4, value: 8, max: 0x7fff_ffff, flags: 0, expected: nil),
        Creation(type: .sockmap, key: 4, value: 8, max: 0x8000_0000, flags: 0, expected: .EINVAL),
        Creation(type: .sockmap, key: 8, value: 8, max: 1, flags: 0, expected: .EINVAL),
        Creation(type: .sockhash, key: 2, value: 4, max: 1 << 27, flags: 0, expected: nil),
        Creation(type: .sockhash, key: 2, value: 4, max: (1 << 27) + 1, flags: 0, expected: .EINVAL),
        Creation(type: .sockhash, key: 513, value: 4, max: 1, flags: 0, expected: .E2BIG),
        Creation(type: .sockhash, key: 513, value: 0, max: 1, flags: 0, expected: .EINVAL),
        Creation(type: .sockhash, key: 0, value: 4, max: 1, flags: 0, expected: .EINVAL),
        Creation(type: .reuseportSockarray, key: 4, value: 8, max: 1, flags: 0x100, expected: nil),
        Creation(type: .reuseportSockarray, key: 4, value: 8, max: 1, flags: 0x180, expected: .EINVAL),
        Creation(type: .reuseportSockarray, key: 4, value: 8, max: 1, flags: 0x400, expected: .EINVAL),
    ]

    @Test(arguments: creations)
    func create(_ c: Creation) {
        #expect(errno { try make(c.type, key: c.key, value: c.value, max: c.max, flags: c.flags) } == c.expected)
    }

    /// The names bpftool gives them, which refusals and `tcx` output use.
    @Test func typesAreNamedAsBpftoolNamesThem() {
        let names = [MapType.devmap, .sockmap, .cpumap, .xskmap, .sockhash, .reuseportSockarray, .devmapHash, .arrayOfMaps].map(\.description)
        #expect(names == ["devmap", "sockmap", "cpumap", "xskmap", "sockhash", "reuseport_sockarray", "devmap_hash", "array_of_maps"])
    }

    @Test func mapExtraIsRefused() {
        var spec = MapSpec(name: "m", type: .devmap, keySize: 4, valueSize: 4, maxEntries: 1)
        spec.mapExtra = 1
        #expect(errno { try spec.validate(possibleCPUs: 2) } == .EINVAL)
    }

    /// A world with lo (1) and one more device (5), and descriptor 3 open.
    struct World: MapDescriptorWorld {
        var devices: Set<UInt32> = [1, 5]
        func hasDevice(ifindex: UInt32) -> Bool { devices.contains(ifindex) }
        func isOpen(descriptor: Int32) -> Bool { descriptor == 3 }
    }

    @Test func devmapSlotsHoldDevicesOfTheWorld() throws {
        let map = try make(.devmap, key: 4, value: 8, max: 4)
        let world = World()
        try map.update(key: u32(0), value: u32(5) + u32(UInt32.max), world: world)
        #expect(try map.lookup(key: u32(0)) == u32(5) + u32(0))
        #expect(errno { try map.update(key: u32(1), value: u32(99) + u32(0), world: world) } == .EINVAL)
        // Without a world no ifindex resolves.
        #expect(errno { try map.update(key: u32(1), value: u32(5) + u32(0)) } == .EINVAL)
        #expect(errno { try map.update(key: u32(1), value: u32(5) + u32(3), world: world) } == .EINVAL)
        #expect(errno { try map.update(key: u32(1), value: u32(0) + u32(3), world: world) } == .EINVAL)
        try map.update(key: u32(1), value: u32(0) + u32(0), world: world)
        #expect(errno { try map.update(key: u32(4), value: u32(99) + u32(0), flags: 3, world: world) } == .EINVAL)
        #expect(errno { try map.update(key: u32(4), value: u32(99) + u32(0), flags: 1, world: world) } == .E2BIG)
        #expect(errno { try map.update(key: u32(2), value: u32(99) + u32(0), flags: 1, world: world) } == .EEXIST)
        #expect(errno { try map.lookup(key: u32(1)) } == .ENOENT)
        try map.delete(key: u32(1))
        #expect(errno { try map.delete(key: u32(4)) } == .EINVAL)
        // A program reads the slot's ifindex, and the slot is gone with its device.
        let device = try #require(u32(0).withPointer { map.lookupForProgram(key: $0, cpu: 0) })
        #expect(device.load(as: UInt32.self) == 5)
        #expect(!map.programWritable)
        (map as? DeviceMap)?.removeDevice(ifindex: 5)
        #expect(errno { try map.lookup(key: u32(0)) } == .ENOENT)
        #expect(u32(0).withPointer { map.lookupForProgram(key: $0, cpu: 0) } == nil)
    }

    @Test func devmapHashWalksBucketsNewestFirst() throws {
        let map = try make(.devmapHash, key: 4, value: 4, max: 3)
        let world = World()
        #expect(errno { try map.nextKey(after: nil) } == .ENOENT)
        // max 3: four buckets; 1, 5 and 9 share bucket 1, so the walk gives the newest first.
        for key: UInt32 in [1, 5, 9] { try map.update(key: u32(key), value: u32(1), world: world) }
        #expect(try map.dump().map(\.key) == [u32(9), u32(5), u32(1)])
        #expect(try map.nextKey(after: u32(77)) == u32(9))
        #expect(errno { try map.update(key: u32(2), value: u32(1), world: world) } == .E2BIG)
        #expect(errno { try map.update(key: u32(2), value: u32(99), flags: 1, world: world) } == .EINVAL)
        #expect(errno { try map.update(key: u32(5), value: u32(99), flags: 1, world: world) } == .EEXIST)
        #expect(errno { try map.update(key: u32(5), value: u32(0), world: world) } == .EINVAL)
        // Rewriting a key moves it to the head of its bucket.
        try map.update(key: u32(1), value: u32(5), world: world)
        #expect(try map.dump().map(\.key) == [u32(1), u32(9), u32(5)])
        #expect(errno { try map.delete(key: u32(2)) } == .ENOENT)
    }

    @Test func cpumapChecksTheQueueBeforeTheCPU() throws {
        let map = try make(.cpumap, key: 4, value: 8, max: 4)
        #expect(errno { try map.update(key: u32(2), value: u32(16385) + u32(0)) } == .EOVERFLOW)
        #expect(errno { try map.update(key: u32(2), value: u32(0) + u32(0)) } == .ENODEV)
        #expect(errno { try map.update(key: u32(3), value: u32(1) + u32(0), flags: 1) } == .EEXIST)
        try map.update(key: u32(1), value: u32(16384) + u32(UInt32.max))
        #expect(try map.lookup(key: u32(1)) == u32(16384) + u32(0))
        #expect(errno { try map.update(key: u32(1), value: u32(64) + u32(3)) } == .ENOMEM)
        #expect(try map.lookup(key: u32(1)) == u32(16384) + u32(0))
        try map.update(key: u32(1), value: u32(0) + u32(0))
        #expect(errno { try map.lookup(key: u32(1)) } == .ENOENT)
        try map.delete(key: u32(1))
        #expect(errno { try map.delete(key: u32(4)) } == .EINVAL)
    }

    @Test func socketMapsRefuseWhatIsNoSocket() throws {
        let world = World()
        let sockmap = try make(.sockmap, key: 4, value: 4, max: 4)
        #expect(errno { try sockmap.lookup(key: u32(0)) } == .ENOSPC)
        #expect(errno { try sockmap.update(key: u32(9), value: u32(9999), flags: 3, world: world) } == .EBADF)
        #expect(errno { try sockmap.update(key: u32(0), value: u32(3), world: world) } == .ENOTSOCK)
        #expect(errno { try sockmap.update(key: u32(0), value: u32(0x8000_0000), world: world) } == .EINVAL)
        #expect(errno { try sockmap.delete(key: u32(0)) } == .EINVAL)
        let sockhash = try make(.sockhash, key: 4, value: 8, max: 4)
        #expect(errno { try sockhash.lookup(key: u32(0)) } == .ENOENT)
        #expect(errno { try sockhash.update(key: u32(0), value: u64(9999 | 1 << 32), world: world) } == .EINVAL)
        #expect(errno { try sockhash.delete(key: u32(0)) } == .ENOENT)
        #expect(errno { try sockhash.nextKey(after: nil) } == .ENOENT)
        let xsk = try make(.xskmap, key: 4, value: 4, max: 4)
        #expect(errno { try xsk.lookup(key: u32(0)) } == .EOPNOTSUPP)
        #expect(errno { try xsk.update(key: u32(4), value: u32(9999), world: world) } == .E2BIG)
        #expect(errno { try xsk.update(key: u32(0), value: u32(0x8000_0000), world: world) } == .EBADF)
        try xsk.delete(key: u32(0))
        let reuseport = try make(.reuseportSockarray, key: 4, value: 8, max: 4)
        #expect(errno { try reuseport.update(key: u32(4), value: u64(9999), flags: 3, world: world) } == .EINVAL)
        #expect(errno { try reuseport.update(key: u32(4), value: u64(9999), world: world) } == .E2BIG)
        #expect(errno { try reuseport.update(key: u32(0), value: u64(3), world: world) } == .ENOTSOCK)
        #expect(errno { try reuseport.delete(key: u32(4)) } == .E2BIG)
        #expect(errno { try reuseport.delete(key: u32(0)) } == .ENOENT)
    }
}
