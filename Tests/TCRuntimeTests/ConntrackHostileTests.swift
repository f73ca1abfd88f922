import BPFCore
import BPFVM
import Synchronization
import TCRuntime
import Testing

/// The conntrack kfuncs given what a hostile program can pass: every tuple and opts size,
/// NULL arguments, unbounded sizes, references dropped twice; entries racing into the table
/// and expiring on the kernel's tick clock, across its 32-bit wrap. The kernel's answers were
/// measured with Tests/Fixtures/corpus/kfunc/conntrack.tcx and conntrack_refused.tcx (sizes 0,
/// 4, 8, 10, 12, 16, 20, 36; NULL opts, NULL tuple, a double release); the sweeps here cover
/// the sizes between with the same rules.
@Suite struct ConntrackHostileTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5] + [UInt8](repeating: 0, count: 50)
    /// What the programs leave in `opts->error` before the call.
    static let untouched: Int32 = 0x55
    static let (enoent, einval, eafnosupport): (Int32, Int32, Int32) = (-2, -22, -97)
    /// The results the create program gives besides an opts error.
    static let (created, notInserted): (UInt32, UInt32) = (1, 2000)
    static let found: UInt32 = 1000

    static func kfunc(_ k: EmbeddedKfunc) -> Instruction { Instruction(opcode: 0x85, src: 2, imm: k.rawValue) }

    /// r6 = ctx; a 36-byte tuple at fp-96 (10.0.0.1:4000 -> 0.0.0.0:53, the rest zero) and
    /// UDP opts at fp-56 (current namespace, error = `untouched`).
    static let setup: [Instruction] = [
        Asm.movReg(6, 1),
        Asm.storeImm(8, 10, -96, 0x0100_000a), Asm.storeImm(8, 10, -88, 0), Asm.storeImm(8, 10, -80, 0),
        Asm.storeImm(8, 10, -72, 0), Asm.storeImm(8, 10, -64, 0), Asm.storeImm(4, 10, -88, 0x3500_a00f),
        Asm.storeImm(4, 10, -56, -1), Asm.storeImm(4, 10, -52, untouched), Asm.storeImm(8, 10, -48, 17),
    ]

    /// r1-r5 for lookup and alloc: the context, the tuple and the opts with the sizes given.
    static func arguments(tupleSize: Int32, optsSize: Int32) -> [Instruction] {
        [Asm.movReg(1, 6), Asm.movReg(2, 10), Asm.add(2, -96), Asm.mov(3, tupleSize),
         Asm.movReg(4, 10), Asm.add(4, -56), Asm.mov(5, optsSize)]
    }

    /// Returns `found` (and releases it) when the lookup finds the entry, else `opts->error`.
    static func lookup(tupleSize: Int32 = 12, optsSize: Int32 = 16) -> [Instruction] {
        setup + arguments(tupleSize: tupleSize, optsSize: optsSize) + [
            kfunc(.skbConntrackLookup),
            Asm.jeq(0, 0, 4),
            Asm.movReg(1, 0), kfunc(.conntrackRelease), Asm.mov(0, Int32(found)), Asm.exit,
            Asm.load(4, 0, 10, -52), Asm.exit,
        ]
    }

    /// Allocates the entry with a timeout of `milliseconds` and inserts it: `created`,
    /// `notInserted` when its tuple is already there, or `opts->error`.
    static func create(milliseconds: Int32, tupleSize: Int32 = 12, optsSize: Int32 = 16) -> [Instruction] {
        setup + arguments(tupleSize: tupleSize, optsSize: optsSize) + [
            kfunc(.skbConntrackAlloc),
            Asm.jeq(0, 0, 13),
            Asm.movReg(7, 0),
            Asm.movReg(1, 7), Asm.mov(2, milliseconds), kfunc(.conntrackSetTimeout),
            Asm.movReg(1, 7), kfunc(.conntrackInsertEntry),
            Asm.jeq(0, 0, 4),
            Asm.movReg(1, 0), kfunc(.conntrackRelease), Asm.mov(0, Int32(created)), Asm.exit,
            Asm.mov(0, Int32(notInserted)), Asm.exit,
            Asm.load(4, 0, 10, -52), Asm.exit,
        ]
    }

    func run(_ code: [Instruction], _ runner: TCProgramRunner = TCProgramRunner(), kind: ExecutorKind = .interpreter) throws -> UInt32 {
        let program = try TCProgram(instructions: code, executor: kind)
        return try TCTestRun.run(program, packet: Self.packet, runner: runner).returnValue
    }

    func refusal(_ code: [Instruction]) -> VMError? {
        do { _ = try TCProgram(instructions: code) } catch { return error }
        return nil
    }

    @Test(arguments: ExecutorKind.allCases)
    func everyTupleSizeButTheTwoFamiliesIsRefusedAtRunTime(kind: ExecutorKind) throws {
        for size: Int32 in 0 ... 36 {
            let expected = size == 12 || size == 36 ? Self.enoent : Self.eafnosupport
            #expect(try run(Self.lookup(tupleSize: size), kind: kind) == UInt32(bitPattern: expected), "tuple size \(size)")
        }
    }

    @Test func theErrorIsWrittenOnlyWhenTheOptsSizeCoversIt() throws {
        for size: Int32 in 0 ... 16 {
            let expected = size < 8 ? Self.untouched : size == 12 || size == 16 ? Self.enoent : Self.einval
            #expect(try run(Self.lookup(optsSize: size)) == UInt32(bitPattern: expected), "opts size \(size)")
        }
    }

    @Test func allocRefusesTheSameSizesAndLeavesTheTableEmpty() throws {
        let runner = TCProgramRunner()
        #expect(try run(Self.create(milliseconds: 1000, tupleSize: 20), runner) == UInt32(bitPattern: Self.eafnosupport))
        #expect(try run(Self.create(milliseconds: 1000, optsSize: 4), runner) == UInt32(bitPattern: Self.untouched))
        #expect(try run(Self.create(milliseconds: 1000, optsSize: 9), runner) == UInt32(bitPattern: Self.einval))
        #expect(runner.services.conntrack.count == 0)
    }

    @Test func nullOptsOrTupleIsRefusedByTheVerifier() {
        var noOpts = Self.lookup()
        if let opts = noOpts.firstIndex(where: { $0 == Asm.movReg(4, 10) }) {
            noOpts[opts] = Asm.mov(4, 0)
            noOpts[opts + 1] = Asm.mov(5, 0)
            noOpts[opts + 2] = Asm.mov(5, 0)
        }
        #expect(refusal(noOpts)?.reason == "Possibly NULL pointer passed to trusted arg3")
        #expect(refusal(noOpts)?.errno == .EACCES)
        var noTuple = Self.lookup()
        if let tuple = noTuple.firstIndex(where: { $0 == Asm.movReg(2, 10) }) {
            noTuple[tuple] = Asm.mov(2, 0)
            noTuple[tuple + 1] = Asm.mov(3, 0)
            noTuple[tuple + 2] = Asm.mov(3, 0)
        }
        #expect(refusal(noTuple)?.reason == "Possibly NULL pointer passed to trusted arg1")
    }

    @Test func aTupleSizeTheVerifierCannotBoundIsRefused() {
        var code = Self.lookup()
        if let size = code.firstIndex(where: { $0 == Asm.mov(3, 12) }) {
            code[size] = Asm.load(4, 3, 6, 0)  // __sk_buff.len: any 32-bit number
        }
        let error = refusal(code)
        // As tuple_size_unbounded in conntrack_refused.c on the kernel.
        #expect(error?.errno == .EACCES)
        #expect(error?.reason.contains("memory, len pair leads to invalid memory access") == true)
    }

    @Test func anEntryReleasedTwiceIsRefused() {
        let code = Self.setup + Self.arguments(tupleSize: 12, optsSize: 16) + [
            Self.kfunc(.skbConntrackLookup),
            Asm.jeq(0, 0, 5),
            Asm.movReg(7, 0), Asm.movReg(1, 7), Self.kfunc(.conntrackRelease),
            Asm.movReg(1, 7), Self.kfunc(.conntrackRelease),
            Asm.mov(0, 0), Asm.exit,
        ]
        #expect(refusal(code)?.reason == "arg#0 pointer type STRUCT nf_conn must point to scalar, or struct with scalar")
    }

    /// A boot clock the test moves.
    final class Clock: Sendable {
        private let now = Mutex<UInt64>(0)
        func set(seconds: Double) { now.withLock { $0 = UInt64(seconds * 1e9) } }
        func read() -> UInt64 { now.withLock { $0 } }
    }

    func runner(on clock: Clock) -> TCProgramRunner {
        TCProgramRunner(services: TCServices(bootNanoseconds: { clock.read() }))
    }

    @Test func entriesExpireOnTheTickClock() throws {
        let clock = Clock(), runner = runner(on: clock)
        clock.set(seconds: 10)
        #expect(try run(Self.create(milliseconds: 1000), runner) == Self.created)
        #expect(try run(Self.create(milliseconds: 1000), runner) == Self.notInserted)
        clock.set(seconds: 10.9)
        #expect(try run(Self.lookup(), runner) == Self.found)
        clock.set(seconds: 11.1)
        #expect(try run(Self.lookup(), runner) == UInt32(bitPattern: Self.enoent))
        #expect(try run(Self.create(milliseconds: 1000), runner) == Self.created)
    }

    /// An expired entry is in the way of an insert of its tuple (as measured: conntrack.tcx,
    /// "again, over the expired one") until a lookup meets it or the collector's longest scan
    /// interval has passed.
    @Test func anExpiredEntryBlocksItsTupleUntilCollected() throws {
        let clock = Clock(), runner = runner(on: clock)
        clock.set(seconds: 10)
        #expect(try run(Self.create(milliseconds: 0), runner) == Self.created)
        clock.set(seconds: 40)
        #expect(try run(Self.create(milliseconds: 0), runner) == Self.notInserted)
        clock.set(seconds: 71)
        #expect(try run(Self.create(milliseconds: 1000), runner) == Self.created)
        #expect(runner.services.conntrack.count == 1)
    }

    /// The kernel's jiffies start 300 seconds before their 32-bit wrap; an entry made just
    /// before it lives on past it.
    @Test func timeoutsCrossTheJiffiesWrap() throws {
        let clock = Clock(), runner = runner(on: clock)
        clock.set(seconds: 299.5)
        #expect(try run(Self.create(milliseconds: 1000), runner) == Self.created)
        clock.set(seconds: 300.2)
        #expect(try run(Self.lookup(), runner) == Self.found)
        clock.set(seconds: 300.6)
        #expect(try run(Self.lookup(), runner) == UInt32(bitPattern: Self.enoent))
    }

    @Test func racingInsertsOfOneTupleLeaveOneEntry() async throws {
        let runner = TCProgramRunner()
        let program = try TCProgram(instructions: Self.create(milliseconds: 60000))
        let results = try await withThrowingTaskGroup(of: UInt32.self) { group in
            for _ in 0 ..< 8 {
                group.addTask { try TCTestRun.run(program, packet: Self.packet, runner: runner).returnValue }
            }
            return try await group.reduce(into: [UInt32]()) { $0.append($1) }
        }
        #expect(results.filter { $0 == Self.created }.count == 1)
        #expect(results.filter { $0 == Self.notInserted }.count == 7)
        #expect(runner.services.conntrack.count == 1)
    }
}
