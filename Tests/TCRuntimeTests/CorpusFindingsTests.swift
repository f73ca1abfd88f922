import BPFCore
import BPFMaps
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

    /// bpf_ringbuf_query (134) loads and answers as the kernel does: ring size, then the
    /// available data and producer position after one 8-byte output (a 16-byte record).
    @Test func ringbufQuery() throws {
        let ring = try BPFMap.create(MapSpec(name: "rb", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096),
                                     possibleCPUs: 2)
        func query(_ flag: Int32) -> [Instruction] {
            Asm.lddw(1, src: 5, 0) + [Asm.mov(2, flag), Asm.call(134)]
        }
        let program = try TCProgram(instructions: query(1) + [Asm.movReg(6, 0), Asm.storeImm(8, 10, -8, 7)]
            + Asm.lddw(1, src: 5, 0) + [Asm.movReg(2, 10), Asm.add(2, -8), Asm.mov(3, 8), Asm.mov(4, 0), Asm.call(130)]
            + query(0) + [Asm.mul(0, 100000), Asm.addReg(6, 0)] + query(3) + [Asm.mul(0, 1000), Asm.addReg(0, 6), Asm.exit],
            maps: [ring])
        let result = try TCTestRun.run(program, packet: Self.packet)
        #expect(result.returnValue == 4096 + 16 * 100000 + 16 * 1000)
    }
}
