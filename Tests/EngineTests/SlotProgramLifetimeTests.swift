import BPFCore
import SwiftTCX
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How long a devmap or cpumap slot holds its XDP program: while some slot holds it, not longer.
/// With its descriptor closed, a program in a slot is still loaded (it opens by id); emptying
/// the last slot that held it, replacing it, or freeing the map unloads it (BPF_PROG_GET_FD_BY_ID
/// is ENOENT). The kernel lets go after an RCU grace period, so a check waits up to two seconds.
@Suite struct SlotProgramLifetimeTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/slotprogs/slotprogs.o")

    static func bytes(_ words: UInt32...) -> [UInt8] { words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } } }

    /// Whether the program `id` is loaded, asked until it is `expected` or two seconds passed.
    static func isLoaded(_ id: UInt32, in world: any TCXSystem, expected: Bool) -> Bool {
        for _ in 0 ..< 200 {
            let loaded = opens(id, in: world)
            if loaded == expected { return loaded }
            usleep(10_000)
        }
        return !expected
    }

    /// A program of the object loaded from a collection of its own, which is closed at once: the
    /// returned descriptor is then its only holder (a collection keeps one of each program it
    /// loads).
    static func loadAlone(_ name: String, in world: any BPFObjectSystem) throws -> Program {
        let collection = try ObjectCollection(file: object, in: world)
        return try collection.program(name)
    }

    private static func opens(_ id: UInt32, in world: any TCXSystem) -> Bool {
        do {
            let program = try Program(id: id, in: world)
            try program.close()
            return true
        } catch {
            return false
        }
    }

    @Test(arguments: backends) func aDevmapSlotHoldsItsProgramUntilTheLastSlotLetsGo(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let devices = try collection.map("devices")
        let onDevice = try Self.loadAlone("on_device", in: world)
        let id = try onDevice.id
        try devices.update(Self.bytes(0), to: Self.bytes(1, onDevice.handle.rawValue))
        try devices.update(Self.bytes(1), to: Self.bytes(1, onDevice.handle.rawValue))
        try onDevice.close()
        #expect(Self.isLoaded(id, in: world, expected: true))
        try devices.delete(Self.bytes(0))
        #expect(Self.isLoaded(id, in: world, expected: true))  // slot 1 still holds it
        try devices.update(Self.bytes(1), to: Self.bytes(1, 0))  // the same device, no program
        #expect(!Self.isLoaded(id, in: world, expected: false))
    }

    @Test(arguments: backends) func aReplacedProgramGoesAndItsSuccessorStays(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let byKey = try collection.map("devices_by_key")
        let first = try Self.loadAlone("on_device", in: world), second = try Self.loadAlone("on_device", in: world)
        let firstID = try first.id, secondID = try second.id
        try byKey.update(Self.bytes(7), to: Self.bytes(1, first.handle.rawValue))
        try byKey.update(Self.bytes(7), to: Self.bytes(1, first.handle.rawValue))  // the same again: one slot, one hold
        try first.close()
        #expect(Self.isLoaded(firstID, in: world, expected: true))
        try byKey.update(Self.bytes(7), to: Self.bytes(1, second.handle.rawValue))
        try second.close()
        #expect(!Self.isLoaded(firstID, in: world, expected: false))
        #expect(Self.isLoaded(secondID, in: world, expected: true))
        try byKey.delete(Self.bytes(7))
        #expect(!Self.isLoaded(secondID, in: world, expected: false))
    }

    @Test(arguments: backends) func aCPUMapSlotLetsGoWhenEmptied(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let cpus = try collection.map("cpus")
        let onCPU = try Self.loadAlone("on_cpu", in: world)
        let id = try onCPU.id
        try cpus.update(Self.bytes(0), to: Self.bytes(64, onCPU.handle.rawValue))
        try onCPU.close()
        #expect(Self.isLoaded(id, in: world, expected: true))
        try cpus.delete(Self.bytes(0))
        #expect(!Self.isLoaded(id, in: world, expected: false))
    }

    @Test(arguments: backends) func freeingTheMapLetsGoOfItsPrograms(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        var id: UInt32 = 0
        do {
            let collection = try ObjectCollection(file: Self.object, in: world)
            let devices = try collection.map("devices")
            let onDevice = try Self.loadAlone("on_device", in: world)
            id = try onDevice.id
            try devices.update(Self.bytes(2), to: Self.bytes(1, onDevice.handle.rawValue))
        }
        #expect(!Self.isLoaded(id, in: world, expected: false))
    }
}
