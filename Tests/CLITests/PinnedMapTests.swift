import LinuxKernel
import SwiftTCX
import Testing

/// `--pinned`: a real bpffs pin, read by dump and lookup, changed for good by update and delete. The pin is made by a kernel world, whose bpffs is
/// a real mount on the host, so the command reads it as any host pin.
@Suite(.enabled(if: CLI.isRoot, "bpf(2) needs root"))
struct PinnedMapTests {
    @Test func dumpAndLookupAHostPin() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let map = try world.createMap(MapSpec(name: "cli_pinned", type: .hash, keySize: 4, valueSize: 4, maxEntries: 8))
        try world.update(map: map, key: [1, 0, 0, 0], value: [9, 0, 0, 0], flags: MapUpdateFlags.any)
        try world.pin(map, at: PinPath("counts"))
        let path = world.pinRoot + "/counts"

        let dump = try CLI.run(["map", "dump", "--pinned", path])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdout == "key: 01 00 00 00  value: 09 00 00 00\nFound 1 element\n")
        let lookup = try CLI.run(["map", "lookup", "--pinned", path, "--key", "01000000", "--backend", "kernel"])
        #expect(lookup.stdout == "key: 01 00 00 00  value: 09 00 00 00\n")
        let json = try CLI.run(["map", "dump", "--pinned", path, "--json"])
        #expect(json.stdout == #"[{"key":["0x01","0x00","0x00","0x00"],"value":["0x09","0x00","0x00","0x00"]}]"# + "\n")
    }

    @Test func updateAndDeleteChangeTheKernelsMap() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let map = try world.createMap(MapSpec(name: "cli_written", type: .hash, keySize: 4, valueSize: 4, maxEntries: 8))
        try world.pin(map, at: PinPath("written"))
        let path = world.pinRoot + "/written"

        let update = try CLI.run(["map", "update", "--pinned", path, "--key", "02000000", "--value", "07000000"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(try world.lookup(map: map, key: [2, 0, 0, 0]) == [7, 0, 0, 0])
        let exists = try CLI.run(["map", "update", "--pinned", path, "--key", "03000000", "--value", "01000000",
                                  "--flags", "exist"])
        #expect(exists.status != 0 && exists.stderr.contains("ENOENT"), "\(exists.stderr)")
        let delete = try CLI.run(["map", "delete", "--pinned", path, "--key", "02000000"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(delete.stdout == "Found 0 elements\n")
        #expect(throws: TCXError.self) { try world.lookup(map: map, key: [2, 0, 0, 0]) }
        let again = try CLI.run(["map", "delete", "--pinned", path, "--key", "02000000"])
        #expect(again.status != 0 && again.stderr.contains("ENOENT"), "\(again.stderr)")
    }

    @Test func aProgramPinOrNoPinIsAnError() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let program = try world.loadProgram(.returning(0, name: "cli_prog"))
        try world.pin(program, at: PinPath("prog"))
        let notMap = try CLI.run(["map", "dump", "--pinned", world.pinRoot + "/prog"])
        #expect(notMap.status != 0)
        #expect(notMap.stderr.contains("pinned map '\(world.pinRoot)/prog': EINVAL"), "\(notMap.stderr)")
        let none = try CLI.run(["map", "dump", "--pinned", world.pinRoot + "/none"])
        #expect(none.stderr.contains("ENOENT"), "\(none.stderr)")
    }
}
