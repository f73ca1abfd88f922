import Foundation
import Testing

/// `tcx prog run … --perf-events MAP`: the samples perf_output.c writes, printed before the
/// summary, the same on both backends (the kernel's are the reference, PerfEventReaderTests).
@Suite struct ProgRunPerfEventTests {
    static let backends = CLI.isRoot ? ["embedded", "kernel"] : ["embedded"]
    let object = CLI.fixture("perf-event/perf_output.o")

    /// A request for perf_output.c: tag 7, value 0x1122334455667788, the current CPU's slot
    /// and 8 packet bytes; 64 bytes in all.
    static let packet: [UInt8] = {
        var bytes = (0..<14).map { UInt8($0) } + [7, 0, 0, 0, 0, 0, 0, 0]
        bytes += [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
        bytes += [0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0]
        return bytes + (bytes.count..<64).map { UInt8($0) }
    }()

    @Test(arguments: backends) func samplesComeBeforeTheSummary(_ backend: String) throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", Self.packet)
        let result = try CLI.run(["prog", "run", object, "emit_event", "--data-in", packet,
                                  "--perf-events", "events", "--backend", backend])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "perf sample cpu 0: 0700000088776655443322110001020304050607")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("Return value: 0, duration: ") == true)
    }

    @Test func jsonListsTheEvents() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", Self.packet)
        let result = try CLI.run(["prog", "run", object, "emit_event", "--data-in", packet, "--perf-events", "events", "--json"])
        #expect(result.stdout.hasPrefix("{\"perf_events\":[{\"cpu\":0,\"data\":\"0700000088776655443322110001020304050607\"}],\"retval\":0,"),
                "\(result.stdout)")
    }

    @Test func anUnknownMapIsNamed() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", Self.packet)
        let result = try CLI.run(["prog", "run", object, "emit_event", "--data-in", packet, "--perf-events", "nope"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--perf-events nope: the object has no map of that name (it has: events)"), "\(result.stderr)")
    }
}
