import BPFCore
import BPFVM
import Testing

/// A CO-RE poisoned instruction (call 0xbad2310) loads when no run reaches it and is refused,
/// as the kernel refuses it, when one does.
@Suite struct PoisonedCallTests {
    static let poison = Asm.call(0xbad2310)

    func refusal(_ program: [Instruction]) -> VMError? {
        do {
            _ = try VMProgram(instructions: program, options: VerifierOptions())
            return nil
        } catch {
            return error
        }
    }

    @Test func unreachableBehindAConstantIsAccepted() {
        // r1 = 0 (field_exists answered 0); if r1 == 0 skip the poisoned read.
        let program = [Asm.mov(1, 0), Asm.jeq(1, 0, 2), Self.poison, Asm.movReg(0, 2), Asm.mov(0, 7), Asm.exit]
        #expect(refusal(program) == nil)
    }

    @Test func deadCodeAfterThePoisonIsNotJudged() {
        // The dead path reads r2, which nothing wrote: the kernel never looks at it.
        let program = [Asm.mov(1, 0), Asm.jne(1, 0, 1), Asm.ja(2), Self.poison, Asm.movReg(0, 2), Asm.mov(0, 3), Asm.exit]
        #expect(refusal(program) == nil)
    }

    @Test func reachablePoisonIsRefusedLikeTheKernel() {
        let error = refusal([Asm.mov(1, 1), Asm.jeq(1, 0, 1), Self.poison, Asm.mov(0, 0), Asm.exit])
        #expect(error?.instruction == 2)
        #expect(error?.reason == "invalid func unknown#195896080")
        #expect(error?.errno == .EINVAL)
    }

    @Test func aBranchOnAnUnknownValueReachesBothSides() {
        let error = refusal([Asm.ldxdw(1, 1, 0), Asm.jeq(1, 0, 1), Self.poison, Asm.mov(0, 0), Asm.exit])
        #expect(error?.instruction == 2)
    }

    @Test func constantsMergeToUnknownWherePathsDisagree() {
        // r1 is 0 on one path and 1 on the other: the later test on r1 cannot be decided.
        let program = [Asm.ldxdw(2, 1, 0), Asm.mov(1, 0), Asm.jeq(2, 0, 1), Asm.mov(1, 1),
                       Asm.jeq(1, 0, 1), Self.poison, Asm.mov(0, 0), Asm.exit]
        #expect(refusal(program)?.instruction == 5)
    }

    @Test func poisonedLoadImm64HalvesAreBothCalls() {
        let program = [Asm.mov(1, 0), Asm.jeq(1, 0, 2), Self.poison, Self.poison, Asm.mov(0, 0), Asm.exit]
        #expect(refusal(program) == nil)
    }

    @Test func aFunctionCalledOnlyFromDeadCodeIsDead() {
        // main: r1 = 0; if r1 != 0 call sub; r0 = 0; exit.  sub: poisoned; exit.
        let program = [Asm.mov(1, 0), Asm.jeq(1, 0, 1), Asm.callLocal(2), Asm.mov(0, 0), Asm.exit,
                       Self.poison, Asm.exit]
        #expect(refusal(program) == nil)
        let called = [Asm.mov(1, 1), Asm.jeq(1, 0, 1), Asm.callLocal(2), Asm.mov(0, 0), Asm.exit,
                      Self.poison, Asm.exit]
        #expect(refusal(called)?.instruction == 5)
    }
}
