import BPFCore
import Foundation
import Testing

/// Random command lines — real subcommands with options and operands drawn from hostile
/// values (negative, overflowing, empty, /dev/zero, a directory, a missing file) — run the
/// `tcx` binary: each must end with a status below 128 (an answer, not a crash or a hang) and
/// without a Swift runtime dump. Only commands that stay in their own world are drawn: nothing
/// here touches the machine. TCX_CLI_FUZZ_ITERATIONS runs longer (default 40);
/// TCX_CLI_FUZZ_SEED picks another sequence.
@Suite struct ArgumentFuzzTests {
    static let values = [
        "-1", "0", "1", "4294967295", "4294967296", "18446744073709551615", "18446744073709551616",
        "-9223372036854775808", "", "-", "--", "/dev/zero", "/dev/null", "/tmp", "/nonexistent",
        "tc", "ingress", "zz", "\u{FEFF}", String(repeating: "9", count: 400),
    ]

    /// Subcommands and the options each takes (a value follows every option).
    static func commands(_ counter: String, _ script: String) -> [(words: [String], options: [String], operands: [String])] {
        [
            (["disasm"], ["--hex", "--no-raw"], ["/dev/null", "/nonexistent", "/tmp", script]),
            (["conformance-plugin"], [], ["", "00", "zz"]),
            (["prog", "run"], ["--data-in", "--data-out", "--repeat", "--dev", "--setup"], [counter, "tc", "uses_middle"]),
            (["script"], ["--backend"], [script, "/tmp", "/nonexistent"]),
            (["differential", "--against", "embedded", "--count", "1"], ["--seed", "--length", "--programs"], []),
            (["map", "dump"], ["--script", "--object"], ["counts", "m"]),
            (["net", "show"], ["--script"], [script]),
        ]
    }

    @Test func randomCommandLinesAnswer() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["TCX_CLI_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 40
        var random = SplitMix64(seed: environment["TCX_CLI_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x6172_6773)
        let scratch = try TemporaryDirectory()
        let script = scratch.file("plan.tcx", text: "dev a veth b => ok\r\nprog p ret pass => ok\r\n")
        let commands = Self.commands(CLI.fixture("host/counter.o"), script)
        for _ in 0..<iterations {
            let command = commands[Int(random.next() % UInt64(commands.count))]
            var arguments = command.words
            for _ in 0..<Int(random.next() % 5) {
                let pool = command.operands + Self.values
                if !command.options.isEmpty, random.next() % 2 == 0 {
                    arguments.append(command.options[Int(random.next() % UInt64(command.options.count))])
                }
                arguments.append(pool[Int(random.next() % UInt64(pool.count))])
            }
            let result = try BoundedRun.tcx(arguments, stdin: random.next() % 4 == 0 ? "/dev/zero" : "/dev/null")
            for dump in ["Fatal error", "NSCocoaErrorDomain", "Swift runtime failure", "You don't have permission"] {
                #expect(!result.stderr.contains(dump), "\(arguments): \(result.stderr)")
            }
        }
    }
}
