import BPFCore
import BPFVM
import Testing

/// The verifier's refusals are read by people: random and mutated bytecode is refused in
/// words, never with a Swift value dump (`mapFD(-1)`, `Optional(…)`, `BPFVM.Something`).
@Suite struct RefusalWordingTests {
    @Test func randomBytecodeIsRefusedInWords() {
        var rng = SplitMix64(seed: FuzzTests.seed ^ 0x776f_7264)
        var refusals = 0
        for _ in 0..<FuzzTests.iterations {
            var bytes = FuzzTests.randomProgram(&rng)
            if rng.next() % 2 == 0 { bytes = FuzzTests.mutate(bytes, &rng) }
            do {
                _ = try VMProgram(bytes: bytes, options: VerifierOptions())
            } catch {
                refusals += 1
                let dump = error.description.firstMatch(of: /[a-z]+[A-Z][A-Za-z]*\(|Optional\(|BPFVM\.|BPFCore\./)
                #expect(dump == nil, "\(error.description)")
            }
        }
        #expect(refusals > 0)
    }

    @Test func unknownMapIsNamedByItsDescriptor() {
        // r1 = map fd -1 (ld_imm64, src 1); r0 = 0; exit
        let program = Instruction.encode([Instruction(opcode: 0x18, dst: 1, src: 1, imm: -1), Instruction(opcode: 0),
                                          Instruction(opcode: 0xb7, dst: 0), Instruction(opcode: 0x95)])
        #expect(throws: VMError.self) { try VMProgram(bytes: program, options: VerifierOptions()) }
        do {
            _ = try VMProgram(bytes: program, options: VerifierOptions())
        } catch {
            #expect(error.description.contains("unresolved reference to map fd -1"), "\(error.description)")
            #expect(error.errno == .EBADF)
        }
    }
}
