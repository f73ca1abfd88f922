import Foundation
import Testing

/// `tcx` run on hostile and careless input — the cases issue 10 found, each kept: a bounded
/// read that says so, a message in words naming the file, a failed write that exits non-zero.
/// Every run gets 2 GB of address space and a minute, so a regression fails instead of eating
/// the machine.
@Suite struct HostileInputTests {
    let counter = CLI.fixture("host/counter.o")

    @Test func endlessStandardInputIsRefusedWithItsLimit() throws {
        for command in [["disasm"], ["disasm", "--hex"], ["conformance-plugin"]] {
            let result = try BoundedRun.tcx(command, stdin: "/dev/zero")
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("standard input is larger than 25165824 bytes, the limit for bytecode programs"), "\(result.stderr)")
        }
    }

    @Test func endlessFilesAreRefusedWithTheirLimit() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let loader = scratch.file("load.tcx", text: "prog p load /dev/zero tc\n")
        let cases: [([String], String)] = [
            (["prog", "run", counter, "tc", "--data-in", "/dev/zero"], "data-in file '/dev/zero' is larger than 1048576 bytes"),
            (["prog", "run", "/dev/zero", "tc", "--data-in", packet], "object file '/dev/zero' is larger than 67108864 bytes"),
            (["script", "/dev/zero"], "script '/dev/zero' is larger than 33554432 bytes"),
            (["map", "dump", "m", "--script", "/dev/zero"], "script '/dev/zero' is larger than 33554432 bytes"),
            (["disasm", "/dev/zero"], "bytecode program '/dev/zero' is larger than 25165824 bytes"),
            (["script", loader], "prog p load /dev/zero tc => error EFBIG"),
        ]
        for (arguments, message) in cases {
            let result = try BoundedRun.tcx(arguments)
            #expect(result.status > 0 && result.status < 64 || result.status == 0 && arguments[0] == "script", "\(arguments): \(result.status)")
            #expect((result.stdout + result.stderr).contains(message), "\(arguments): \(result.stdout)\(result.stderr)")
        }
    }

    @Test func missingAndDirectoryInputSayWhatAndWhere() throws {
        let missing = try BoundedRun.tcx(["disasm", "/nonexistent"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error: cannot read bytecode program '/nonexistent': No such file or directory\n", "\(missing.stderr)")
        let directory = try BoundedRun.tcx(["script", "/tmp"])
        #expect(directory.status == 2)
        #expect(directory.stderr == "script '/tmp' is a directory, not a file\n")
        let device = try BoundedRun.tcx(["disasm", "/dev/null"])
        #expect(!device.stderr.contains("permission") && !device.stderr.contains("NSCocoaErrorDomain"), "\(device.stderr)")
    }

    @Test func hugeSeedWrapsInsteadOfTrapping() throws {
        let result = try BoundedRun.tcx(["differential", "--seed", "18446744073709551615", "--count", "2",
                                         "--against", "embedded", "--length", "20"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("2 passed, 0 failed\n"), "\(result.stdout)")
    }

    @Test func negativeAndOutOfRangeNumbersAreExplained() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let repeatCount = try BoundedRun.tcx(["prog", "run", counter, "tc", "--data-in", packet, "--repeat", "-1"])
        #expect(repeatCount.status == 64)
        #expect(repeatCount.stderr.contains("The value '-1' is invalid for '--repeat <repeat>'"), "\(repeatCount.stderr)")
        let length = try BoundedRun.tcx(["differential", "--length", "-3"])
        #expect(length.stderr.contains("--length takes a number of lines from 0 to 1000000, not -3"), "\(length.stderr)")
        let seed = try BoundedRun.tcx(["differential", "--seed", "18446744073709551616"])
        #expect(seed.status == 64 && seed.stderr.contains("The value '18446744073709551616' is invalid"), "\(seed.stderr)")
    }

    @Test func failedWritesExitNonZero() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let dataOut = try BoundedRun.tcx(["prog", "run", counter, "tc", "--data-in", packet, "--data-out", "/dev/full"])
        #expect(dataOut.status == 1)
        #expect(dataOut.stderr.contains("cannot write data-out file '/dev/full': No space left on device"), "\(dataOut.stderr)")
        let stdout = try BoundedRun.tcx(["prog", "run", counter, "tc", "--data-in", packet, "--data-out", "-"], stdout: "/dev/full")
        #expect(stdout.status == 1)
        #expect(stdout.stderr.contains("tcx: cannot write standard output: No space left on device"), "\(stdout.stderr)")
        let listing = try BoundedRun.tcx(["disasm", "--hex"], stdin: scratch.file("exit.hex", text: "95 00 00 00 00 00 00 00\n"), stdout: "/dev/full")
        #expect(listing.status == 1, "\(listing.stderr)")
    }

    @Test func verifierNamesAnUnknownMapInWords() throws {
        let scratch = try TemporaryDirectory()
        // r1 = map fd -1 (ld_imm64 src=1); r0 = 0; exit
        let program = scratch.file("p.hex", text: "18 11 00 00 ff ff ff ff 00 00 00 00 00 00 00 00 b7 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00")
        let result = try BoundedRun.tcx(["conformance-plugin"], stdin: program)
        #expect(result.status == 1)
        #expect(result.stderr.contains("map fd -1") && !result.stderr.contains("mapFD("), "\(result.stderr)")
    }
}

/// The `tcx` binary under `ulimit -v` and `timeout`, with chosen standard input and output.
enum BoundedRun {
    static func tcx(_ arguments: [String], stdin: String = "/dev/null", stdout: String? = nil) throws -> CLI.Result {
        let scratch = try TemporaryDirectory()
        let out = stdout ?? scratch.path + "/stdout", err = scratch.path + "/stderr"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v 2000000; exec timeout -s KILL 60 \"$0\" \"$@\" < \"$TCX_IN\" > \"$TCX_OUT\" 2> \"$TCX_ERR\"",
                             CLI.binary] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["TCX_IN": stdin, "TCX_OUT": out, "TCX_ERR": err]) { $1 }
        try process.run()
        process.waitUntilExit()
        let status = process.terminationStatus
        // 128 + a signal: the binary crashed or ran out of time, never an answer.
        #expect(status < 128, "\(arguments) died with status \(status)")
        return CLI.Result(status: status,
                          stdout: stdout == nil ? (try String(contentsOfFile: out, encoding: .utf8)) : "",
                          stderr: try String(contentsOfFile: err, encoding: .utf8))
    }
}
