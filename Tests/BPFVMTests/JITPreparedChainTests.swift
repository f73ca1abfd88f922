import BPFCore
import BPFVM
import Testing

/// Programs run one after another on a block set up once (`JITExecutor.prepare`, a tc chain on
/// one frame): each run starts as a run of its own would — its registers, stack, budget,
/// tail-call count and fault state fresh — whatever the program before it left or how it ended.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITPreparedChainTests {
    /// Counts the tail calls it is asked to resolve, always answering with `target`.
    final class CountingSlot: TailCallResolver {
        var target: VMProgram?
        var asked = 0
        func program(map: UInt64, index: UInt32) -> Unmanaged<VMProgram>? {
            asked += 1
            return target.map(Unmanaged.passUnretained)
        }
    }

    static func load(_ instructions: [Instruction], _ kind: ExecutorKind = .jit) throws -> VMProgram {
        var options = VerifierOptions()
        options.executor = kind
        return try VMProgram(instructions: instructions, options: options)
    }

    /// A prepared block on a 16-byte context (bytes 0...15) and the runs made on it.
    final class Chain {
        let scratch = RunScratch.allocate()
        let context = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        let environment = UnsafeMutablePointer<RunEnvironment>.allocate(capacity: 1)
        let packet = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 8)

        init(tailCalls: (any TailCallResolver)? = nil) {
            for i in 0..<16 { context[i] = UInt8(i) }
            packet.initializeMemory(as: UInt8.self, repeating: 0)
            environment.initialize(to: RunEnvironment(tailCalls: tailCalls))
            JITExecutor.prepare(scratch, context: context, environment: environment)
        }

        deinit {
            environment.deinitialize(count: 1)
            environment.deallocate()
            context.deallocate()
            packet.deallocate()
            scratch.deallocate()
        }

        func run(_ program: VMProgram) -> Result<UInt64, VMFault> {
            do throws(VMFault) {
                return .success(try JITExecutor.run(program, packet: packet, prepared: scratch))
            } catch {
                return .failure(error)
            }
        }
    }

    @Test func eachProgramGetsTheContextInR1AndItsOwnResult() throws {
        let chain = Chain()
        let programs = try (0..<5).map { i in
            try Self.load([Asm.ldxb(0, 1, Int16(i)), Asm.add(0, 100), Asm.exit])
        }
        #expect(programs.allSatisfy { $0.isCompiled })
        for (i, program) in programs.enumerated() {
            #expect(try chain.run(program).get() == UInt64(100 + i))
        }
    }

    @Test func aProgramAfterAnotherSeesItsStackZeroed() throws {
        let chain = Chain()
        let dirty = try Self.load([
            Asm.movReg(2, 10), Asm.add(2, -512),
            Asm.stdw(2, 0, -1), Asm.stdw(2, 248, -1), Asm.stdw(2, 504, -1),
            Asm.mov(0, 0), Asm.exit,
        ])
        let reader = try Self.load([Asm.ldxdw(0, 10, -264), Asm.ldxdw(2, 10, -8), Asm.addReg(0, 2), Asm.exit])
        #expect(try chain.run(dirty).get() == 0)
        #expect(try chain.run(reader).get() == 0)
    }

    @Test func aFaultInACalleeLeavesTheNextProgramAFreshStart() throws {
        let chain = Chain()
        // main: call f; exit. f: an 8-byte read at context offset 9, past its 16 bytes.
        let faulting = try Self.load([Asm.callLocal(1), Asm.exit, Asm.ldxdw(0, 1, 9), Asm.exit])
        // Stores to its frame, calls a function, then returns what it stored.
        let calling = try Self.load([
            Asm.stdw(10, -8, 42), Asm.callLocal(2), Asm.ldxdw(0, 10, -8), Asm.exit,
            Asm.mov(0, 1), Asm.exit,
        ])
        guard case .failure(let fault) = chain.run(faulting) else {
            Issue.record("the read past the context did not fault")
            return
        }
        #expect(fault.instruction == 2)
        #expect(try chain.run(calling).get() == 42)
        #expect(try chain.run(Self.load([Asm.ldxb(0, 1, 15), Asm.exit])).get() == 15)
    }

    @Test func everyProgramHasTheWholeTailCallLimit() throws {
        let slot = CountingSlot()
        let chain = Chain(tailCalls: slot)
        // Tail-calls itself until the limit stops it, then returns 5.
        let looping = try Self.load([Asm.mov(2, 0), Asm.mov(3, 0), Asm.call(12), Asm.mov(0, 5), Asm.exit])
        slot.target = looping
        #expect(try chain.run(looping).get() == 5)
        let first = slot.asked
        #expect(first == 33)
        #expect(try chain.run(looping).get() == 5)
        #expect(slot.asked == 2 * first)
        slot.target = nil
    }

    @Test func aProgramWithoutMachineCodeRunsInTheChain() throws {
        let chain = Chain()
        let interpreted = try Self.load([Asm.ldxb(0, 1, 3), Asm.add(0, 1), Asm.exit], .interpreter)
        let compiled = try Self.load([Asm.ldxb(0, 1, 7), Asm.exit])
        #expect(!interpreted.isCompiled && compiled.isCompiled)
        #expect(try chain.run(compiled).get() == 7)
        #expect(try chain.run(interpreted).get() == 4)
        #expect(try chain.run(compiled).get() == 7)
    }
}
