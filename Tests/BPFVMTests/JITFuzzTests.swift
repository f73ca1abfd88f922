import BPFCore
import BPFVM
import Testing

/// The fuzzer's random and mutated bytecode on the interpreter and on the JIT: every program
/// the verifier accepts must give the same r0 (or the same fault) on both and leave the same
/// bytes in the context, the packet and the guard bytes around them.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITFuzzTests {
    static var options: VerifierOptions {
        var options = FuzzTests.options
        options.executor = .jit
        return options
    }

    /// What one engine did: the result without fault addresses (each run has its own
    /// buffers) and every byte of the block.
    struct Outcome: Equatable {
        var result: Result<UInt64, VMFault>
        var block: [UInt8]
    }

    /// Runs on one block (the same addresses for both engines: programs may compute with
    /// pointers), filled afresh before each run.
    static func outcome(_ program: VMProgram, on kind: ExecutorKind, in all: UnsafeMutableRawBufferPointer) -> Outcome {
        let guardBytes = 64, size = 64
        all.initializeMemory(as: UInt8.self, repeating: 0xcc)
        let ctx = UnsafeMutableRawBufferPointer(rebasing: all[guardBytes..<(guardBytes + size)])
        let pkt = UnsafeMutableRawBufferPointer(rebasing: all[(guardBytes * 3 + size)..<(guardBytes * 3 + size * 2)])
        for i in 0..<size { ctx[i] = UInt8(i); pkt[i] = UInt8(255 - i) }
        let result = Result { () throws(VMFault) -> UInt64 in
            try kind.executor.run(program, context: ctx, packet: pkt, environment: RunEnvironment(), r2: UInt64(size))
        }
        return Outcome(result: result.mapError(MemorySafetyTests.withoutAddress), block: Array(all))
    }

    /// Nil when both agree (or the verifier refused the bytes), else what differed.
    static func disagreement(_ bytes: [UInt8]) -> String? {
        guard let program = try? VMProgram(bytes: bytes, options: options) else { return nil }
        guard program.isCompiled else { return "the JIT declined a verified program" }
        let all = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 4 + 64 * 2, alignment: 16)
        defer { all.deallocate() }
        let interpreted = outcome(program, on: .interpreter, in: all), jitted = outcome(program, on: .jit, in: all)
        guard interpreted != jitted else { return nil }
        return "interpreter \(interpreted.result), JIT \(jitted.result)"
            + (interpreted.block == jitted.block ? "" : "; memory differs")
    }

    @Test func randomPrograms() {
        var rng = SplitMix64(seed: FuzzTests.seed ^ 0x717)
        var compared = 0
        for i in 0..<FuzzTests.iterations {
            let bytes = FuzzTests.randomProgram(&rng)
            if (try? VMProgram(bytes: bytes, options: Self.options)) != nil { compared += 1 }
            if let difference = Self.disagreement(bytes) {
                Issue.record("iteration \(i): \(difference)\n\(bytes)")
            }
        }
        #expect(compared > FuzzTests.iterations / 20, "only \(compared) accepted")
    }

    @Test func mutatedConformancePrograms() {
        var rng = SplitMix64(seed: FuzzTests.seed ^ 0x7175)
        let corpus = ConformanceTests.files.map(\.program)
        guard !corpus.isEmpty else { Issue.record("no conformance corpus"); return }
        for i in 0..<FuzzTests.iterations {
            let bytes = FuzzTests.mutate(corpus[Int(rng.next() % UInt64(corpus.count))], &rng)
            if let difference = Self.disagreement(bytes) {
                Issue.record("iteration \(i): \(difference)\n\(bytes)")
            }
        }
    }
}
