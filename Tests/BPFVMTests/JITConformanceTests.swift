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
        let file = try #require(ConformanceTests.files.first { $0.name == name })
        var memory = file.memory
        let outcome: Result<UInt64, any Error> = memory.withUnsafeMutableBytes { mem in
            do {
                let program = try VMProgram(bytes: file.program, options: Self.options)
                guard program.isCompiled else { return .failure(JITDeclined()) }
                return .success(try JITExecutor.run(program, context: mem, r2: UInt64(mem.count)))
            } catch {
                return .failure(error)
            }
        }
        switch (outcome, file.result, file.error) {
        case (.success(let r0), let expected?, _):
            #expect(r0 == expected, "\(name): r0 0x\(String(r0, radix: 16)), expected 0x\(String(expected, radix: 16))")
        case (.failure(let error), _, nil):
            Issue.record("\(name): \(error)")
        case (.failure(let error), _, _) where error is JITDeclined:
            Issue.record("\(name): the JIT declined the program")
        case (.success(let r0), nil, _):
            Issue.record("\(name): expected a failure, got r0 = \(r0)")
        default:
            break
        }
    }
}

/// A program the JIT did not compile, where the test wanted machine code.
struct JITDeclined: Error {}
