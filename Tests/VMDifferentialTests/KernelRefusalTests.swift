import BPFCore
import LinuxKernel
import Testing

/// What the generator avoids because the kernel refuses it, while the VM runs it with the ISA's
/// meaning (docs/vm.md lists these differences). If the kernel starts taking them, the generator can too.
@Suite(needsKernel)
struct KernelRefusalTests {
    static let refused: [(name: String, op: Instruction)] = [
        ("lsh64 by imm 64", Asm.alu(.lsh, wide: true, dst: 0, imm: 64)),
        ("rsh32 by imm 32", Asm.alu(.rsh, wide: false, dst: 0, imm: 32)),
        ("arsh64 by imm -1", Asm.alu(.arsh, wide: true, dst: 0, imm: -1)),
        ("div64 by imm 0", Asm.alu(.div, wide: true, dst: 0, imm: 0)),
        ("smod32 by imm 0", Asm.alu(.mod, wide: false, dst: 0, imm: 0, offset: 1)),
    ]

    @Test func kernelRefusesConstantShiftsOutOfRangeAndDivisionByZero() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let runner = DualRunner(world: world)
        for (name, op) in Self.refused {
            let outcome = try runner.run([Asm.mov(0, 5), op, Asm.exit])
            guard case .kernelRefused = outcome else {
                Issue.record("\(name): the kernel took it (\(outcome))")
                continue
            }
            #expect((try? DualRunner.runOnVM(Instruction.encode([Asm.mov(0, 5), op, Asm.exit])).get()) != nil,
                    "\(name): the VM should run it")
        }
    }
}
