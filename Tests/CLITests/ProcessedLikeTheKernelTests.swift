import Foundation
import Testing

/// The embedded verifier walks a program the way Linux 6.18 does: the same prune points (a
/// conditional jump and where it branches to), the same precision marks, the same stack
/// liveness, so the same number of instructions processed. Each line of
/// Tests/Fixtures/verifier/processed_counts.txt is a count the kernel gave on this machine;
/// `TCX_VERIFIER_STATS` makes `tcx script` print the embedded one.
@Suite struct ProcessedLikeTheKernelTests {
    struct Expectation {
        var object: String
        var program: String
        var processed: Int
    }

    static func expectations() throws -> [String: [Expectation]] {
        let text = try String(contentsOfFile: CLI.fixture("verifier/processed_counts.txt"), encoding: .utf8)
        var byObject: [String: [Expectation]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let count = Int(fields[2]) else { continue }
            byObject[String(fields[0]), default: []].append(Expectation(object: String(fields[0]), program: String(fields[1]),
                                                                        processed: count))
        }
        return byObject
    }

    /// The counts `tcx script` prints, in the order of the script's loads.
    static func embeddedCounts(_ expectations: [Expectation], in directory: TemporaryDirectory) throws -> [Int] {
        var script = ""
        for (i, expectation) in expectations.enumerated() {
            script += "prog p\(i) load \(CLI.fixture("verifier/" + expectation.object)) \(expectation.program)\n"
        }
        let path = directory.path + "/counts.tcx"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["script", "-q", path], environment: ["TCX_VERIFIER_STATS": "1"])
        return result.stderr.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("embedded: processed ") else { return nil }
            return Int(line.split(separator: " ")[2])
        }
    }

    @Test func everyRecordedProgramProcessesAsManyInstructionsAsOnTheKernel() throws {
        let byObject = try Self.expectations()
        #expect(byObject.values.map(\.count).reduce(0, +) >= 170)
        let directory = try TemporaryDirectory()
        for (object, expectations) in byObject.sorted(by: { $0.key < $1.key }) {
            let counts = try Self.embeddedCounts(expectations, in: directory)
            try #require(counts.count == expectations.count, "\(object): \(counts.count) analyses for \(expectations.count) loads")
            for (expectation, count) in zip(expectations, counts) {
                #expect(count == expectation.processed, "\(object) \(expectation.program): kernel \(expectation.processed), embedded \(count)")
            }
        }
    }
}
