import BPFCore
import BPFVM
import Testing

/// Compiled programs run one after another from machine code (`JITChain`): each starts as a run
/// of its own would (`JITPreparedChainTests`), and the pass stops where one-at-a-time runs would
/// stop — at the first result whose low 32 bits are not NEXT (-1), at a fault, or when the stop
/// byte is set.
@Suite(.enabled(if: ExecutorKind.jitAvailable && JITChain.available, "the JIT exists on x86-64 Linux only"))
struct JITChainTests {
    typealias Chain = JITPreparedChainTests.Chain

    static func load(_ instructions: [Instruction], _ kind: ExecutorKind = .jit) throws -> VMProgram {
        try JITPreparedChainTests.load(instructions, kind)
    }

    static let next = [Asm.mov(0, -1), Asm.exit]

    /// What one pass did: programs entered, r0 of the last, its fault.
    struct Pass {
        var ran = 0
        var r0: UInt64 = 0
        var fault: VMFault?
    }

    /// One pass over `programs` (all must have a step), the stop byte at context byte 15
    /// (cleared first: the context holds its offsets).
    static func pass(_ programs: [VMProgram], on chain: Chain) -> Pass {
        chain.context[15] = 0
        let steps = programs.compactMap(\.chainStep)
        #expect(steps.count == programs.count, "every program has a chain step")
        var pass = Pass()
        steps.withUnsafeBufferPointer { steps in
            withExtendedLifetime(programs) {
                do throws(VMFault) {
                    pass.r0 = try JITChain.run(steps, packet: chain.packet, prepared: chain.scratch,
                                               stop: UnsafeRawPointer(chain.context.baseAddress.unsafelyUnwrapped + 15),
                                               ran: &pass.ran)
                } catch {
                    pass.fault = error
                }
            }
        }
        return pass
    }

    @Test func runsUntilTheFirstResultThatIsNotNext() throws {
        let chain = Chain()
        let programs = try [Self.next, Self.next, [Asm.ldxb(0, 1, 5), Asm.exit], Self.next].map { try Self.load($0) }
        let pass = Self.pass(programs, on: chain)
        #expect(pass.ran == 3 && pass.r0 == 5 && pass.fault == nil)
        // All NEXT: every program runs, r0 is the last one's.
        let all = Self.pass([programs[0], programs[1], programs[3]], on: chain)
        #expect(all.ran == 3 && all.r0 == UInt64(bitPattern: -1) && all.fault == nil)
    }

    @Test func onlyTheLow32BitsOfR0Decide() throws {
        let chain = Chain()
        // r0 = 0x1_ffff_ffff: the verdict (an int) is -1, NEXT; 0xffff_ffff_0000_0000 is 0.
        let high = try Self.load(Asm.lddw(0, 0x1_ffff_ffff) + [Asm.exit])
        let zeroLow = try Self.load(Asm.lddw(0, 0xffff_ffff_0000_0000) + [Asm.exit])
        let last = try Self.load([Asm.mov(0, 2), Asm.exit])
        let pass = Self.pass([high, zeroLow, last], on: chain)
        #expect(pass.ran == 2 && pass.r0 == 0xffff_ffff_0000_0000)
        #expect(Self.pass([high, last], on: chain).ran == 2)
    }

    @Test func eachProgramGetsTheContextAZeroedStackAndFreshRegisters() throws {
        let chain = Chain()
        // Dirties its whole frame and r6-r9, returns NEXT.
        let dirty = try Self.load([
            Asm.movReg(2, 10), Asm.add(2, -512),
            Asm.stdw(2, 0, -1), Asm.stdw(2, 248, -1), Asm.stdw(2, 504, -1),
            Asm.mov(6, 9), Asm.mov(7, 9), Asm.mov(8, 9), Asm.mov(9, 9),
            Asm.mov(0, -1), Asm.exit,
        ])
        // Sums its frame's words the dirty one wrote and the context byte 3: 3 on a fresh start.
        let reader = try Self.load([
            Asm.ldxdw(0, 10, -264), Asm.ldxdw(2, 10, -8), Asm.addReg(0, 2),
            Asm.ldxdw(2, 10, -512), Asm.addReg(0, 2),
            Asm.ldxb(2, 1, 3), Asm.addReg(0, 2), Asm.exit,
        ])
        let pass = Self.pass([dirty, reader], on: chain)
        #expect(pass.ran == 2 && pass.r0 == 3)
    }

    @Test func aFaultEndsThePassAndTheNextPassStartsFresh() throws {
        let chain = Chain()
        let next = try Self.load(Self.next)
        // main: call f; exit. f: an 8-byte read at context offset 9, past its 16 bytes.
        let faulting = try Self.load([Asm.callLocal(1), Asm.exit, Asm.ldxdw(0, 1, 9), Asm.exit])
        let pass = Self.pass([next, faulting, next], on: chain)
        #expect(pass.ran == 2)
        #expect(pass.fault?.instruction == 2)
        let calling = try Self.load([
            Asm.stdw(10, -8, 42), Asm.callLocal(2), Asm.ldxdw(0, 10, -8), Asm.exit,
            Asm.mov(0, 1), Asm.exit,
        ])
        let after = Self.pass([next, calling], on: chain)
        #expect(after.ran == 2 && after.r0 == 42 && after.fault == nil)
    }

    @Test func theStopByteEndsThePassAfterTheProgramThatSetIt() throws {
        let chain = Chain()
        let next = try Self.load(Self.next)
        // Stores -1 over context bytes 8...15 (the stop byte is 15), returns NEXT.
        let storing = try Self.load([Asm.stdw(1, 8, -1), Asm.mov(0, -1), Asm.exit])
        let pass = Self.pass([next, storing, next, next], on: chain)
        #expect(pass.ran == 2 && pass.r0 == UInt64(bitPattern: -1) && pass.fault == nil)
    }

    @Test func programsThatCallOutOrLackCodeHaveNoStep() throws {
        let helper = try Self.load([Asm.mov(2, 0), Asm.mov(3, 0), Asm.call(12), Asm.mov(0, 5), Asm.exit])
        let interpreted = try Self.load(Self.next, .interpreter)
        let plain = try Self.load(Self.next)
        #expect(helper.chainStep == nil && interpreted.chainStep == nil && plain.chainStep != nil)
    }

    /// The pass gives what one-at-a-time prepared runs give, on programs of every kind of ending.
    @Test func agreesWithRunsOneAtATime() throws {
        let endings: [[Instruction]] = [
            Self.next, [Asm.mov(0, 0), Asm.exit], [Asm.ldxb(0, 1, 7), Asm.exit],
            [Asm.ldxb(0, 1, 2), Asm.jeq(0, 2, 1), Asm.mov(0, -1), Asm.exit],
            [Asm.ldxdw(0, 1, 12), Asm.exit],  // faults: past the context
        ]
        let programs = try endings.map { try Self.load($0) }
        var seed: UInt64 = 0x9e37_79b9_7f4a_7c15
        for _ in 0..<200 {
            let length = Int(seed % 5) + 1
            var chosen: [VMProgram] = []
            for k in 0..<length {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // NEXT most of the time, so passes run long.
                chosen.append(programs[(seed >> 33) % 3 == 0 ? Int(seed >> 40) % programs.count : k % 2 == 0 ? 0 : 3])
            }
            // One block for both: a fault's address (in the context) is the same.
            let chain = Chain()
            let pass = Self.pass(chosen, on: chain)
            let single = chain
            var ran = 0
            var last: Result<UInt64, VMFault> = .success(0)
            for program in chosen {
                ran += 1
                last = single.run(program)
                guard case .success(let r0) = last, Int32(truncatingIfNeeded: r0) == -1 else { break }
            }
            #expect(pass.ran == ran)
            switch last {
            case .success(let r0): #expect(pass.fault == nil && pass.r0 == r0)
            case .failure(let fault): #expect(pass.fault == fault)
            }
        }
    }
}
