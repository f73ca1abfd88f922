import BPFVM
import Testing

/// Every program of the bpf_conformance suite compiled by the JIT and run as machine code:
/// the same verdicts as the interpreter's `ConformanceTests`.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITConformanceTests {
    static var options: VerifierOptions {
        var options = ConformanceTests.options
        options.executor = .jit
        return options
    }

    @Test(arguments: ConformanceTests.files.map(\.name))
    func conformance(_ name: String) throws {
        try ConformanceTests.check(name, options: Self.options) { program, mem in
            guard program.isCompiled else { throw JITDeclined() }
            return try JITExecutor.run(program, context: mem, r2: UInt64(mem.count))
        }
    }
}

/// A program the JIT did not compile, where the test wanted machine code.
struct JITDeclined: Error {}
