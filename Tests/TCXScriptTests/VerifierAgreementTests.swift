import SwiftTCX
import TCXScript
import Testing

/// The embedded verifier against the kernel's verdicts on the rule corpus
/// (`Tests/Fixtures/verifier/rules.tcx`, each line one program, recorded on Linux 6.18): every
/// verdict agrees. A program the embedded backend loads and the kernel refuses fails this test
/// as `newly loaded`, one it refuses and the kernel loads as `refused`.
@Suite struct VerifierAgreementTests {
    static let rules = Fixtures.root + "/Tests/Fixtures/verifier/rules.tcx"
    static let socketRules = Fixtures.root + "/Tests/Fixtures/verifier/socket_rules.tcx"
    static let realistic = Fixtures.root + "/Tests/Fixtures/verifier/realistic.tcx"
    static let knownBits = Fixtures.root + "/Tests/Fixtures/verifier/known_bits.tcx"

    /// Programs the kernel refuses and the embedded backend still loads: none.
    static let knownFalseAccepts: Set<String> = []

    @Test func embeddedVerdictsAgainstTheKernels() throws {
        let source = try #require(ScriptFile.read(Self.rules))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: Self.rules, world: world)
        #expect(results.count >= 23 && results.allSatisfy { $0.line.expected != nil })
        var falseAccepts: Set<String> = [], falseRefusals: [String] = []
        for result in results where !result.matches {
            let program = result.line.text.split(separator: " ").dropFirst().first.map(String.init) ?? result.line.text
            if result.result == "ok" { falseAccepts.insert(program) } else { falseRefusals.append("\(program): \(result.result)") }
        }
        #expect(falseRefusals.isEmpty, "refused, the kernel loads them: \(falseRefusals)")
        #expect(falseAccepts == Self.knownFalseAccepts,
                "newly agreeing: \(Self.knownFalseAccepts.subtracting(falseAccepts).sorted()); newly loaded: \(falseAccepts.subtracting(Self.knownFalseAccepts).sorted())")
        print("verifier rule corpus: \(results.count - falseAccepts.count - falseRefusals.count) of \(results.count) verdicts agree with the kernel")
    }

    /// SOCKET_FILTER programs: the verdicts, and test-runs from the network header with the
    /// Ethernet header zeroed in data_out, as the kernel gives them.
    @Test func socketFiltersAsTheKernelLoadsAndRunsThem() throws {
        let source = try #require(ScriptFile.read(Self.socketRules))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: Self.socketRules, world: world)
        #expect(results.count == 15 && results.allSatisfy { $0.line.expected != nil })
        for result in results where !result.matches {
            Issue.record("\(result.line.text): \(result.result)")
        }
    }

    /// Programs written as real tc programs are: the kernel's verdicts, and the same results.
    @Test func realisticProgramsAsTheKernelLoadsAndRunsThem() throws {
        let source = try #require(ScriptFile.read(Self.realistic))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: Self.realistic, world: world)
        #expect(results.count == 15 && results.allSatisfy { $0.line.expected != nil })
        for result in results where !result.matches {
            Issue.record("\(result.line.text): \(result.result)")
        }
    }

    /// Known bits and 32-/64-bit bounds: branches the kernel proves dead through them, offsets
    /// they bound, and operations it does not follow (division, modulo).
    @Test func knownBitsAsTheKernelTracksThem() throws {
        let source = try #require(ScriptFile.read(Self.knownBits))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: Self.knownBits, world: world)
        #expect(results.count == 23 && results.allSatisfy { $0.line.expected != nil })
        for result in results where !result.matches {
            Issue.record("\(result.line.text): \(result.result)")
        }
    }
}
