import BPFCore
import BPFMaps
import BPFVM
import TCRuntime
import Testing

/// The rules `EngineDifferential` compares the engines by: the services answer every run the
/// same, a program whose outcome is an address is told apart from a finding, and helpers
/// whose answers no run controls are refused before running.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct EngineDifferentialTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x00, 0x45] + [UInt8](repeating: 0, count: 49)

    @Sendable static func maps() -> [BPFMap] {
        [MapSpec(name: "array", type: .array, keySize: 4, valueSize: 8, maxEntries: 1)]
            .compactMap { try? BPFMap.create($0, possibleCPUs: 1) }
    }

    /// Random numbers, the clocks and the CPU, stored in the packet and a map and summed into
    /// r0: the same on both engines, as every run's services start alike.
    @Test func servicesAnswerEveryRunAlike() {
        var program: [Instruction] = [Asm.movReg(6, 1), Asm.mov(9, 0)]
        for helper: Int32 in [7, 7, 5, 125, 118, 8] {
            program += [Asm.call(helper), Asm.addReg(9, 0)]
        }
        program += [
            Asm.storeImm(4, 10, -4, 0), Asm.store(8, 10, -16, 9),
        ] + Asm.lddw(1, src: 5, 0) + [
            Asm.movReg(2, 10), Asm.add(2, -4), Asm.movReg(3, 10), Asm.add(3, -16), Asm.mov(4, 0), Asm.call(2),
            Asm.movReg(1, 6), Asm.mov(2, 20), Asm.movReg(3, 10), Asm.add(3, -16), Asm.mov(4, 8), Asm.mov(5, 0),
            Asm.call(9), Asm.movReg(0, 9), Asm.exit,
        ]
        let differential = EngineDifferential(bytes: Instruction.encode(program), packet: Self.packet, makeMaps: Self.maps)
        #expect(differential.compare() == .agree)
    }

    /// A map's handle as r0: each run's map is its own, so its handle differs, on the other
    /// thread too. An address is no outcome: not a finding.
    @Test func anAddressReturnedIsLayoutDependent() {
        let program = Asm.lddw(0, src: 5, 0) + [Asm.exit]
        let differential = EngineDifferential(bytes: Instruction.encode(program), packet: Self.packet, makeMaps: Self.maps)
        #expect(differential.compare() == .layoutDependent)
    }

    @Test func aRefusedProgramIsNotCompared() {
        let differential = EngineDifferential(bytes: Instruction.encode([Asm.exit]), packet: Self.packet)
        #expect(differential.compare() == .refused)
    }

    /// Helpers on the host's clocks, timers, signals and `callx` are refused; the services'
    /// clocks and random numbers are not.
    @Test func helpersNoRunControlsAreRefused() {
        for helper: Int32 in [160, 208, 169, 170, 171, 172, 109, 117] {
            #expect(EngineDifferential.callsNondeterministic(Instruction.encode([Asm.call(helper), Asm.exit])), "helper \(helper)")
        }
        let callx = Instruction(opcode: 0x8d, dst: 1)
        #expect(EngineDifferential.callsNondeterministic(Instruction.encode([Asm.mov(1, 5), callx, Asm.exit])))
        for helper: Int32 in [5, 7, 8, 118, 125] {
            #expect(!EngineDifferential.callsNondeterministic(Instruction.encode([Asm.call(helper), Asm.exit])), "helper \(helper)")
        }
        // bpf_send_signal_task, as a kfunc call and as the helper it becomes; another kfunc of
        // the same number as a plain helper is not it.
        let signalTask = EmbeddedKfunc.sendSignalTask.rawValue
        let kfuncCall = Instruction(opcode: 0x85, src: 2, imm: signalTask)
        #expect(EngineDifferential.callsNondeterministic(Instruction.encode([kfuncCall, Asm.exit])))
        #expect(EngineDifferential.callsNondeterministic(Instruction.encode([Asm.call(KfuncTable.helperID(.sendSignalTask)), Asm.exit])))
        #expect(!EngineDifferential.callsNondeterministic(Instruction.encode([Asm.call(signalTask), Asm.exit])))
    }
}
