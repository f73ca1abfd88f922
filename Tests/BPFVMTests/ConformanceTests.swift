import BPFVM
import Testing

/// Every program of the bpf_conformance suite, run through the verifier and the interpreter.
@Suite struct ConformanceTests {
    static let files = (try? ConformanceFile.all()) ?? []

    /// The helpers the suite's plugins provide; `unwind` (5) ends the program when it returns 0.
    static var options: VerifierOptions {
        var options = VerifierOptions()
        options.initializedRegisters = [1, 2]
        options.helpers.register(5, name: "unwind") { call in
            if call.r1 == 0 { call.exitProgram = true }
            return call.r1
        }
        return options
    }

    @Test func suiteIsPresent() {
        #expect(Self.files.count >= 300)
    }

    @Test(arguments: files.map(\.name))
    func conformance(_ name: String) throws {
        try Self.check(name, options: Self.options) { program, mem in
            try Interpreter.run(program, context: mem, r2: UInt64(mem.count))
        }
    }

    /// Loads the suite's program `name` with `options`, runs it with `run` on its memory, and
    /// records where the result differs from the suite's expectation.
    static func check(_ name: String, options: VerifierOptions,
                      run: (VMProgram, UnsafeMutableRawBufferPointer) throws -> UInt64) throws {
        let file = try #require(files.first { $0.name == name })
        var memory = file.memory
        let outcome: Result<UInt64, any Error> = memory.withUnsafeMutableBytes { mem in
            do {
                let program = try VMProgram(bytes: file.program, options: options)
                return .success(try run(program, mem))
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
