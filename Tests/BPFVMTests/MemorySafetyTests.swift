import BPFCore
import BPFVM
import Testing

/// Hostile programs that pass the verifier must be stopped by a fault, never touch other memory,
/// on the interpreter and on the JIT alike.
@Suite struct MemorySafetyTests {
    /// Runs `program` on the interpreter and, where it exists, on the JIT, each on its own
    /// copy of the context and packet; both must give the same r0 or fault and leave the same
    /// bytes. Returns the interpreter's result.
    func run(_ program: [Instruction], context: Int = 16, options: VerifierOptions = VerifierOptions(),
             packet: [UInt8]? = nil, environment: RunEnvironment = RunEnvironment()) throws -> Result<UInt64, VMFault> {
        var options = options
        options.executor = ExecutorKind.jitAvailable ? .jit : .interpreter
        let loaded = try VMProgram(instructions: program, options: options)
        let interpreted = Self.run(loaded, on: .interpreter, context: context, packet: packet, environment: environment)
        if ExecutorKind.jitAvailable {
            #expect(loaded.isCompiled, "the JIT declined the program")
            let jitted = Self.run(loaded, on: .jit, context: context, packet: packet, environment: environment)
            #expect(jitted.comparable == interpreted.comparable, "JIT \(jitted.result), interpreter \(interpreted.result)")
            #expect(jitted.context == interpreted.context && jitted.packet == interpreted.packet,
                    "the JIT left other bytes than the interpreter")
        }
        return interpreted.result
    }

    static func run(_ loaded: VMProgram, on kind: ExecutorKind, context: Int, packet: [UInt8]?,
                    environment: RunEnvironment) -> (result: Result<UInt64, VMFault>, comparable: Result<UInt64, VMFault>,
                                                     context: [UInt8], packet: [UInt8]) {
        var ctx = [UInt8](repeating: 0xab, count: context)
        var pkt = packet ?? []
        let result = ctx.withUnsafeMutableBytes { c in
            pkt.withUnsafeMutableBytes { p in
                Result { () throws(VMFault) -> UInt64 in
                    try kind.executor.run(loaded, context: c, packet: packet == nil ? nil : p,
                                          environment: environment, r2: 0)
                }
            }
        }
        return (result, result.mapError(withoutAddress), ctx, pkt)
    }

    /// The fault without its address: each run has its own context, packet and stack, so
    /// only what faulted and where in the program compare.
    static func withoutAddress(_ fault: VMFault) -> VMFault {
        switch fault.kind {
        case let .outOfBounds(_, size, write):
            VMFault(instruction: fault.instruction, kind: .outOfBounds(address: 0, size: size, write: write))
        case let .misaligned(_, size):
            VMFault(instruction: fault.instruction, kind: .misaligned(address: 0, size: size))
        default: fault
        }
    }

    func fault(_ result: Result<UInt64, VMFault>) -> VMFault? {
        if case .failure(let f) = result { return f }
        return nil
    }

    @Test func contextReadsStayInside() throws {
        #expect(try run([Asm.ldxdw(0, 1, 8), Asm.exit]).get() == 0xabab_abab_abab_abab)
        let f = fault(try run([Asm.ldxdw(0, 1, 9), Asm.exit]))
        #expect(f?.instruction == 0)
        guard case .outOfBounds(_, 8, false)? = f?.kind else {
            Issue.record("expected an 8-byte read fault, got \(String(describing: f))")
            return
        }
    }

    @Test func readBeforeContextFaults() throws {
        #expect(fault(try run([Asm.ldxb(0, 1, -1), Asm.exit])) != nil)
    }

    @Test func computedStackPointerBelowFrameFaults() throws {
        // r2 = r10 - 520: below the only frame in use.
        let program = [Asm.movReg(2, 10), Asm.add(2, -520), Asm.ldxdw(0, 2, 0), Asm.exit]
        #expect(fault(try run(program))?.instruction == 2)
    }

    @Test func stackAboveTopFaults() throws {
        let program = [Asm.movReg(2, 10), Asm.ldxb(0, 2, 0), Asm.exit]
        #expect(fault(try run(program))?.instruction == 1)
    }

    @Test func absoluteAddressesFault() throws {
        let program = Asm.lddw(1, 0x7fff_0000_1000) + [Asm.stdw(1, 0, 1), Asm.mov(0, 0), Asm.exit]
        let f = fault(try run(program))
        #expect(f?.kind == .outOfBounds(address: 0x7fff_0000_1000, size: 8, write: true))
    }

    @Test func nullContextFaults() throws {
        #expect(fault(try run([Asm.ldxb(0, 1, 0), Asm.exit], context: 0)) != nil)
    }

    @Test func stackIsZeroedAndPrivate() throws {
        // Reading an unwritten stack slot sees zero, never an earlier run's or the host's bytes.
        let write = [Asm.stdw(10, -8, 0x55), Asm.ldxdw(0, 10, -8), Asm.exit]
        #expect(try run(write).get() == 0x55)
        #expect(try run([Asm.ldxdw(0, 10, -8), Asm.exit]).get() == 0)
    }

    @Test func callerCannotReachUnusedCalleeFrames() throws {
        // Frame 0 computes an address in frame 1's area while no call is active.
        let program = [Asm.movReg(2, 10), Asm.add(2, -600), Asm.ldxdw(0, 2, 0), Asm.exit]
        #expect(fault(try run(program)) != nil)
    }

    @Test func calleeMayUseCallerStackThroughPointer() throws {
        // main: [r10-8] = 7; r1 = r10 - 8; call f; exit.  f: r0 = *(r1); exit.
        let program = [Asm.stdw(10, -8, 7), Asm.movReg(1, 10), Asm.add(1, -8), Asm.callLocal(1), Asm.exit,
                       Asm.ldxdw(0, 1, 0), Asm.exit]
        #expect(try run(program).get() == 7)
    }

    @Test func endlessLoopHitsTheBudget() throws {
        var options = VerifierOptions()
        options.maxExecutedInstructions = 10_000
        let program = [Asm.mov(0, 0), Asm.add(0, 1), Asm.jne(0, 0, -2), Asm.exit]
        #expect(fault(try run(program, options: options))?.kind == .instructionLimit)
    }

    /// A loop whose body divides, calls a helper and calls a function: the budget is charged
    /// the same way on both engines however the body gets there, and runs out at the same
    /// instruction after the same number of iterations (counted in the context).
    @Test func budgetIsExactAcrossDivisionsHelpersAndCalls() throws {
        var options = VerifierOptions()
        options.helpers.register(1, name: "identity") { call in call.r1 }
        let program = [
            Asm.movReg(6, 1), Asm.mov(7, 0),
            // loop: r7 += 1; ctx[0] = r7; r0 = r7 / 3; r1 = r0; call 1; call f; goto loop
            Asm.add(7, 1), Asm.stxdw(6, 0, 7),
            Instruction(opcode: 0xbf, dst: 0, src: 7), Instruction(opcode: 0x37, dst: 0, imm: 3),
            Asm.movReg(1, 0), Asm.call(1), Asm.callLocal(2),
            Asm.jne(7, 1_000_000, -8), Asm.exit,
            // f: r0 = 7 (its own frame)
            Asm.mov(0, 7), Asm.exit,
        ]
        for budget in [0, 1, 7, 8, 9, 100, 1_001] {
            options.maxExecutedInstructions = budget
            let f = fault(try run(program, options: options))
            #expect(f?.kind == .instructionLimit, "budget \(budget)")
            #expect(f?.instruction == 9, "budget \(budget)")
        }
    }

    @Test func boundedLoopRuns() throws {
        let program = [Asm.mov(0, 0), Asm.add(0, 1), Asm.jne(0, 1000, -2), Asm.exit]
        #expect(try run(program).get() == 1000)
    }

    @Test func misalignedAtomicFaults() throws {
        let program = [Asm.mov(2, 1), Asm.atomicAdd64(1, 4, 2), Asm.mov(0, 0), Asm.exit]
        let f = fault(try run(program))
        if case .misaligned? = f?.kind {} else { Issue.record("expected a misalignment fault, got \(String(describing: f))") }
    }

    @Test func callxToUnknownHelperFaults() throws {
        let program = [Asm.mov(2, 99), Asm.callx(2), Asm.exit]
        #expect(fault(try run(program))?.kind == .unknownHelper(99))
    }

    @Test func helpersSeeOnlyAllowedMemory() throws {
        var options = VerifierOptions()
        // Helper 1 sums the r2 bytes at r1, or fails when it may not read them.
        options.helpers.register(1) { call in
            guard let bytes = call.bytes(at: call.r1, count: Int(call.r2), write: false) else {
                call.failure = "bad pointer"
                return 0
            }
            return bytes.reduce(0) { $0 + UInt64($1) }
        }
        let inside = [Asm.mov(2, 2), Asm.call(1), Asm.exit]
        #expect(try run(inside, options: options).get() == 0xab * 2)
        let outside = [Asm.mov(2, 17), Asm.call(1), Asm.exit]
        #expect(fault(try run(outside, options: options))?.kind == .helper("bad pointer"))
    }

    @Test func legacyPacketLoads() throws {
        let packet: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9a]
        let program = [Asm.movReg(6, 1), Asm.ldAbsW(1), Asm.exit]
        #expect(try run(program, packet: packet).get() == 0x3456_789a)
        // Out of the packet: the program ends with 0, as in the kernel.
        let beyond = [Asm.movReg(6, 1), Asm.ldAbsW(2), Asm.mov(0, 9), Asm.exit]
        #expect(try run(beyond, packet: packet).get() == 0)
        let negative = [Asm.movReg(6, 1), Asm.ldAbsB(-1), Asm.mov(0, 9), Asm.exit]
        #expect(try run(negative, packet: packet).get() == 0)
    }

    @Test func mapValueRegionIsAccessibleAndBounded() throws {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { storage.deallocate() }
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        struct Resolver: PseudoImmediateResolver {
            let region: MemoryRegion
            func resolve(_ immediate: PseudoImmediate) -> ResolvedImmediate? {
                guard case .mapValue(fd: 3, offset: let offset) = immediate else { return nil }
                return ResolvedImmediate(value: region.base + UInt64(offset), region: region)
            }
        }
        var options = VerifierOptions()
        options.resolver = Resolver(region: MemoryRegion(storage))
        let inside = Asm.lddw(1, 3 | 8 << 32, source: 2) + [Asm.stdw(1, 0, 42), Asm.ldxdw(0, 1, 0), Asm.exit]
        #expect(try run(inside, options: options).get() == 42)
        #expect(storage.load(fromByteOffset: 8, as: UInt64.self) == 42)
        let beyond = Asm.lddw(1, 3 | 8 << 32, source: 2) + [Asm.stdw(1, 8, 1), Asm.mov(0, 0), Asm.exit]
        #expect(fault(try run(beyond, options: options)) != nil)
    }

    @Test func readOnlyRegionRefusesWritesAndEdges() throws {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { storage.deallocate() }
        storage.initializeMemory(as: UInt8.self, repeating: 7)
        struct ReadOnly: PseudoImmediateResolver {
            let region: MemoryRegion
            func resolve(_ immediate: PseudoImmediate) -> ResolvedImmediate? {
                guard case .mapValue(fd: 3, offset: let offset) = immediate else { return nil }
                return ResolvedImmediate(value: region.base + UInt64(offset), region: region)
            }
        }
        var options = VerifierOptions()
        options.resolver = ReadOnly(region: MemoryRegion(storage, writable: false))
        let base = Asm.lddw(1, 3, source: 2)
        #expect(try run(base + [Asm.ldxb(0, 1, 15), Asm.exit], options: options).get() == 7)
        #expect(fault(try run(base + [Asm.ldxb(0, 1, 16), Asm.exit], options: options))?.instruction == 2)
        #expect(fault(try run(base + [Asm.ldxb(0, 1, -1), Asm.exit], options: options))?.instruction == 2)
        #expect(fault(try run(base + [Asm.ldxdw(0, 1, 9), Asm.exit], options: options))?.instruction == 2)
        let write = fault(try run(base + [Asm.stdw(1, 0, 1), Asm.mov(0, 0), Asm.exit], options: options))
        #expect(write?.kind == .outOfBounds(address: storage.baseAddress.map { UInt64(UInt(bitPattern: $0)) } ?? 0,
                                            size: 8, write: true))
        #expect(storage.allSatisfy { $0 == 7 })
    }

    @Test func tailCallsStopAfterThirtyThree() throws {
        // Counts its runs in the context, then tail-calls itself.
        let program = [Asm.ldxdw(2, 1, 0), Asm.add(2, 1), Asm.stxdw(1, 0, 2),
                       Asm.mov(2, 0), Asm.mov(3, 0), Asm.call(12), Asm.mov(0, 0), Asm.exit]
        var options = VerifierOptions()
        options.executor = .jit
        let loaded = try VMProgram(instructions: program, options: options)
        final class SelfResolver: TailCallResolver {
            let program: VMProgram
            init(_ program: VMProgram) { self.program = program }
            func program(map: UInt64, index: UInt32) -> Unmanaged<VMProgram>? { Unmanaged.passUnretained(program) }
        }
        for kind in ExecutorKind.allCases {
            var counter = [UInt8](repeating: 0, count: 8)
            let r0 = try counter.withUnsafeMutableBytes { ctx in
                try kind.executor.run(loaded, context: ctx, packet: nil,
                                      environment: RunEnvironment(tailCalls: SelfResolver(loaded)), r2: 0)
            }
            #expect(r0 == 0, "\(kind)")
            #expect(counter.withUnsafeBytes { $0.load(as: UInt64.self) } == 34, "\(kind)")
        }
    }

    @Test func concurrentRunsAgree() async throws {
        var options = VerifierOptions()
        options.executor = .jit
        let program = try VMProgram(instructions: [Asm.mov(0, 0), Asm.add(0, 3), Asm.jne(0, 3000, -2), Asm.exit],
                                    options: options)
        let results = await withTaskGroup(of: UInt64.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var ctx = [UInt8](repeating: 0, count: 8)
                    return ctx.withUnsafeMutableBytes { (try? JITExecutor.run(program, context: $0)) ?? 0 }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: 3000, count: 8))
    }
}
