import ArgumentParser
import SwiftTCX
import TCXConformance
import TCXScript

/// `tcx differential`: random attach scenarios on two backends, line by line.
struct DifferentialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "differential",
        abstract: "Run random attach scenarios on two backends and report where they print differently.",
        discussion: "Each seed generates one script (see `--show`); a divergence names the seed and line. Exit 1 on any divergence.")

    @Option(parsing: .unconditional, help: "First seed.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "How many seeds (after 18446744073709551615 they go on from 0).") var count: UInt64 = 20
    @Option(parsing: .unconditional, help: "Random lines per script.") var length = 120
    @Option(parsing: .unconditional, help: "Programs per script (over 63 reaches the hook limit).") var programs = 6
    @Option(help: "The backend compared with the embedded one.") var against: Backend = .kernel
    @Flag(help: "Print the script of the first seed and stop.") var show = false

    func run() throws {
        if show {
            var generator = RandomScript(seed: seed, programs: programs)
            print(generator.script(length: length), terminator: "")
            return
        }
        var divergent = 0
        for offset in 0..<count {
            let current = seed &+ offset
            var generator = RandomScript(seed: current, programs: programs)
            let source = generator.script(length: length)
            let first = try Backend.embedded.openWorld()
            let second = try against.openWorld()
            defer {
                first.shutdown()
                second.shutdown()
            }
            if let divergence = try Differential.compare(source: source, name: "seed-\(current)", first: first, second: second) {
                divergent += 1
                print("seed \(current): \(divergence)")
            }
        }
        print("\(count - UInt64(divergent)) passed, \(divergent) failed")
        if divergent > 0 { throw ExitCode(1) }
    }
}
