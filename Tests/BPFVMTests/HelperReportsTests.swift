import BPFCore
import BPFVM
import Testing

/// A helper's `failure` lives outside the call (made on first use, taken by the executor
/// when the helper returns): what the program sees must be as when it was a field of the call,
/// on the interpreter and on the JIT, call after call and run after run.
@Suite struct HelperReportsTests {
    /// Helper 1 fails with "odd N" when r1 is odd; helper 2 sets a failure and takes it back.
    static let options: VerifierOptions = {
        var options = VerifierOptions()
        options.helpers.register(1) { call in
            if call.r1 % 2 == 1 { call.failure = "odd \(call.r1)" }
            return call.r1 &+ 1
        }
        options.helpers.register(2) { call in
            call.failure = "changed its mind"
            call.failure = nil
            return 7
        }
        return options
    }()

    /// Runs `program` on `kind` with the context's first byte set to `first`.
    func run(_ program: VMProgram, on kind: ExecutorKind, first: UInt8) -> Result<UInt64, VMFault> {
        var context = [UInt8](repeating: 0, count: 16)
        context[0] = first
        return context.withUnsafeMutableBytes { bytes in
            Result { () throws(VMFault) -> UInt64 in
                try kind.executor.run(program, context: bytes, packet: nil, environment: RunEnvironment(), r2: 0)
            }
        }
    }

    func load(_ program: [Instruction]) throws -> VMProgram {
        var options = Self.options
        options.executor = ExecutorKind.jitAvailable ? .jit : .interpreter
        return try VMProgram(instructions: program, options: options)
    }

    var kinds: [ExecutorKind] { ExecutorKind.jitAvailable ? [.interpreter, .jit] : [.interpreter] }

    @Test func aFailureTakenBackDoesNotStopTheProgram() throws {
        let program = try load([Asm.call(2), Asm.add(0, 1), Asm.exit])
        for kind in kinds {
            #expect(try run(program, on: kind, first: 0).get() == 8, "\(kind)")
        }
    }

    /// The second call fails when the context's byte is odd; runs alternate, so a report
    /// left over from one call or run would show in the next.
    @Test func eachCallReportsOnlyItsOwnFailure() throws {
        let program = try load([
            Asm.movReg(7, 1),
            Asm.mov(1, 2), Asm.call(1),  // 3, never fails
            Asm.movReg(6, 0),
            Asm.ldxb(1, 7, 0), Asm.call(1),  // instruction 5: fails on an odd byte
            Asm.addReg(0, 6), Asm.exit,
        ])
        for kind in kinds {
            for round in 0..<200 {
                let first = UInt8(round % 4)
                let result = run(program, on: kind, first: first)
                if first % 2 == 1 {
                    guard case .failure(let fault) = result else {
                        Issue.record("\(kind) round \(round): \(result), expected a fault")
                        return
                    }
                    #expect(fault.kind == .helper("odd \(first)"), "\(kind)")
                    #expect(fault.instruction == 5, "\(kind)")
                } else {
                    #expect(try result.get() == 3 + UInt64(first) + 1, "\(kind) round \(round)")
                }
            }
        }
    }
}
