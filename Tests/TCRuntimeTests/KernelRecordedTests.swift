import BPFCore
import BPFVM
import Foundation
import TCRuntime
import Testing

/// Every case the kernel ran (Tests/Fixtures/tc-runtime/record.py, BPF_PROG_TEST_RUN on Linux
/// 6.18) runs again on the VM, on the interpreter and on the JIT: same return value, same packet
/// out, same refusals.
@Suite struct KernelRecordedTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let object: String, section: String, repeatCount: UInt32, packet: [UInt8]
        let expected: Substring
        var testDescription: String { "\(object) \(section) (\(packet.count) bytes)" }
    }

    static let cases: [Case] = {
        guard let text = try? String(contentsOf: Fixtures.directory.appendingPathComponent("expected.txt"), encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 5)
            return Case(object: String(parts[0]), section: String(parts[1]), repeatCount: UInt32(parts[2])!,
                        packet: [UInt8](hex: parts[3]), expected: parts[5])
        }
    }()

    @Test func casesArePresent() { #expect(Self.cases.count > 300) }

    static let executors: [ExecutorKind] = ExecutorKind.jitAvailable ? [.interpreter, .jit] : [.interpreter]

    @Test(arguments: cases, executors)
    func sameAsKernel(_ c: Case, on executor: ExecutorKind) throws {
        let program = try TCProgram(bytes: try Fixtures.section(c.section, of: c.object), executor: executor)
        if executor == .jit { #expect(program.program.isCompiled, "the JIT declined \(c.section)") }
        let runner = TCProgramRunner(services: TCServices(processorID: { 0 }), executor: executor)
        let got: String
        do {
            let result = try TCTestRun.run(program, packet: c.packet, repeat: c.repeatCount, runner: runner)
            got = "\(result.returnValue) \(result.packet.hex)"
        } catch .refused(let errno, _) {
            got = "errno \(errno.rawValue)"
        } catch .fault(let fault) {
            got = "fault \(fault)"
        }
        #expect(got == c.expected)
    }
}
