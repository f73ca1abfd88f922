import BPFCore
import BPFVM
import Testing

/// A program whose frame pointer stays in r10 gets only the bytes its r10 accesses reach
/// zeroed at entry (`EntryStack`): what an earlier run left deeper must still never show, in
/// the program itself or in a tail-call target that reaches deeper.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITEntryStackTests {
    /// Fills bytes at -512, -264 and -8 through a copy of r10 (so its whole frame is in play).
    static let dirty = [
        Asm.movReg(2, 10), Asm.add(2, -512),
        Asm.stdw(2, 0, -1), Asm.stdw(2, 248, -1), Asm.stdw(2, 504, -1),
        Asm.mov(0, 0), Asm.exit,
    ]
    /// Reads -264 through r10 only: a frame 272 bytes deep.
    static let reader = [Asm.ldxdw(0, 10, -264), Asm.exit]
    /// Tail-calls slot 0 without touching its frame: a frame of 0 bytes; r0 = 5 when it fails.
    static let shallowCaller = [Asm.mov(2, 0), Asm.mov(3, 0), Asm.call(12), Asm.mov(0, 5), Asm.exit]
    /// Reads -512 through r10.
    static let deepReader = [Asm.ldxdw(0, 10, -512), Asm.exit]

    static func load(_ instructions: [Instruction], _ kind: ExecutorKind = .jit) throws -> VMProgram {
        var options = VerifierOptions()
        options.executor = kind
        return try VMProgram(instructions: instructions, options: options)
    }

    static func run(_ program: VMProgram, scratch: RunScratch, tailCall target: VMProgram? = nil) throws -> UInt64 {
        var context = [UInt8](repeating: 0, count: 8)
        return try context.withUnsafeMutableBytes { ctx in
            try JITExecutor.run(program, context: ctx, packet: nil,
                                environment: RunEnvironment(tailCalls: JITTailCallTests.Slot(target)), r2: 0,
                                scratch: scratch)
        }
    }

    @Test func aShallowFrameReadsZeroesAfterADeepRun() throws {
        let scratch = RunScratch.allocate()
        defer { scratch.deallocate() }
        let (dirty, reader) = (try Self.load(Self.dirty), try Self.load(Self.reader))
        #expect(dirty.isCompiled && reader.isCompiled)
        _ = try Self.run(dirty, scratch: scratch)
        #expect(try Self.run(reader, scratch: scratch) == 0)
        // The reader itself writes nothing; a second dirty run and a read again.
        _ = try Self.run(dirty, scratch: scratch)
        #expect(try Self.run(reader, scratch: scratch) == 0)
    }

    @Test(arguments: [ExecutorKind.jit, .interpreter])
    func aTailCallTargetReachingDeeperReadsZeroes(_ targetKind: ExecutorKind) throws {
        let scratch = RunScratch.allocate()
        defer { scratch.deallocate() }
        let dirty = try Self.load(Self.dirty)
        let caller = try Self.load(Self.shallowCaller)
        for target in [try Self.load(Self.reader, targetKind), try Self.load(Self.deepReader, targetKind)] {
            _ = try Self.run(dirty, scratch: scratch)
            #expect(try Self.run(caller, scratch: scratch, tailCall: target) == 0, "\(targetKind)")
        }
        // Without a target the caller goes on: the tail call really was made above.
        #expect(try Self.run(caller, scratch: scratch) == 5)
    }

    @Test func theDirtyProgramSeesItsOwnFrameZeroed() throws {
        // A program that copies r10 gets its whole frame zeroed: it reads 0 where the last run wrote.
        let scratch = RunScratch.allocate()
        defer { scratch.deallocate() }
        let dirty = try Self.load(Self.dirty)
        let readsThroughCopy = try Self.load([Asm.movReg(2, 10), Asm.ldxdw(0, 2, -264), Asm.exit])
        _ = try Self.run(dirty, scratch: scratch)
        #expect(try Self.run(readsThroughCopy, scratch: scratch) == 0)
    }
}
