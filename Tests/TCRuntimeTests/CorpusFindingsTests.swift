import BPFCore
import TCRuntime
import Testing

/// Disagreements with the kernel found by the program corpus (Tests/Fixtures/programs and
/// scripts/kernel/prog_*.tcx), each reduced to a hand-written program.
@Suite struct CorpusFindingsTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x06] + [UInt8](repeating: 0, count: 50)

    /// Popping the accelerated tag clears vlan_proto as well (the kernel zeroes vlan_all):
    /// push 802.1Q VID 5, pop, return vlan_proto + vlan_tci + vlan_present.
    @Test func vlanPopClearsTheProtocol() throws {
        let program = try TCProgram(instructions: [
            Asm.movReg(6, 1),
            Asm.mov(2, 0x0081), Asm.mov(3, 5), Asm.call(18),
            Asm.movReg(1, 6), Asm.call(19),
            Asm.load(4, 0, 6, 28), Asm.load(4, 7, 6, 24), Asm.addReg(0, 7), Asm.load(4, 7, 6, 20), Asm.addReg(0, 7),
            Asm.exit,
        ])
        let result = try TCTestRun.run(program, packet: Self.packet)
        #expect(result.returnValue == 0)
        #expect(result.metadata.vlanProto == 0)
    }
}
