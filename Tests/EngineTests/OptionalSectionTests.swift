import SwiftTCX
import Testing

/// libbpf's `SEC("?tc")`: a program not loaded unless asked for. Asked for by name, it loads and
/// runs as the same section without the mark does, on both backends.
@Suite struct OptionalSectionTests {
    let frame = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0, count: 40)

    @Test(arguments: TestBackends.available) func anOptionalProgramLoadsWhenAskedFor(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: TestBackends.fixture("objects/sections.o"), in: world)
        #expect(try collection.program("p_optional").testRun(packet: frame).returnValue == 5)
        let egress = try collection.program("p_optional_egress")
        #expect(try egress.testRun(packet: frame).returnValue == 2)
    }
}
