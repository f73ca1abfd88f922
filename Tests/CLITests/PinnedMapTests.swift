import LinuxKernel
import SwiftTCX
import Testing

/// `--pinned`: a real bpffs pin, read-only. The pin is made by a kernel world, whose bpffs is
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
