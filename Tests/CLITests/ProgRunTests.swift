import Foundation
import Testing

/// `tcx prog run`: bpftool's output, data-out, and errors that say what went wrong.
@Suite struct ProgRunTests {
    let subprogs = CLI.fixture("objects/subprogs.o")

    /// middle(78) + leaf(0) = (78*3+1 + 79*3+1) + 1.
    @Test func printsReturnValueAndDurationAsBpftool() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let result = try CLI.run(["prog", "run", subprogs, "uses_middle", "--data-in", packet])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.wholeMatch(of: /Return value: 474, duration: \d+ns\n/) != nil, "\(result.stdout)")
    }

    @Test func averageAppearsOnlyWithRepeatAboveOne() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let many = try CLI.run(["prog", "run", subprogs, "uses_middle", "--data-in", packet, "--repeat", "50"])
        #expect(many.stdout.wholeMatch(of: /Return value: 474, duration \(average\): \d+ns\n/) != nil, "\(many.stdout)")
        let one = try CLI.run(["prog", "run", subprogs, "uses_middle", "--data-in", packet, "--repeat", "1"])
        #expect(one.stdout.hasPrefix("Return value: 474, duration: "))
    }

    @Test(.enabled(if: CLI.isRoot, "the kernel backend needs root"))
    func kernelGivesTheSameReturnValueAndPacket() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame(length: 96))
        let object = CLI.fixture("tc-runtime/ctx_write.o")
        var outputs: [Data] = []
        for backend in ["embedded", "kernel"] {
            let out = scratch.path + "/out-" + backend
            let result = try CLI.run(["prog", "run", object, "tc", "--data-in", packet, "--data-out", out,
                                      "--backend", backend, "--repeat", "3"])
            #expect(result.status == 0, "\(backend): \(result.stderr)")
            #expect(result.stdout.hasPrefix("Return value: "), "\(result.stdout)")
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(outputs[0].count == 96)
        #expect(outputs[0] == outputs[1])
    }

    @Test func dataOutDashIsAHexDumpBeforeTheSummary() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame(length: 60))
        let result = try CLI.run(["prog", "run", subprogs, "no_calls", "--data-in", packet, "--data-out", "-"])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.first == "0000000\t0200 0000 0002 0200 0000 0001 0800 4500 | ........ ......E.")
        // 12 bytes: the missing 4 padded to the ASCII column; 0x20 is printable.
        #expect(lines[3] == "0000030\t2000 0000 0000 0001 0203 0405           |  ....... ....")
        #expect(lines.last?.hasPrefix("Return value: 0, duration: ") == true)
    }

    @Test func jsonHasRetvalAndDuration() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let result = try CLI.run(["prog", "run", subprogs, "uses_other", "--data-in", packet, "--json"])
        #expect(result.stdout.wholeMatch(of: /\{"retval":20,"duration":\d+\}\n/) != nil, "\(result.stdout)")
    }

    // MARK: Errors

    @Test func missingObjectNamesTheFileAndTheReason() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let result = try CLI.run(["prog", "run", scratch.path + "/none.o", "tc", "--data-in", packet])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot read object file '\(scratch.path)/none.o': No such file or directory"))
    }

    @Test func missingDataInNamesTheFile() throws {
        let result = try CLI.run(["prog", "run", subprogs, "uses_middle", "--data-in", "/nonexistent/packet"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot read data-in file '/nonexistent/packet': No such file or directory"))
    }

    @Test func unknownSectionListsThePrograms() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let result = try CLI.run(["prog", "run", subprogs, "tc/nothing", "--data-in", packet])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot load program 'tc/nothing': ENOENT"))
        #expect(result.stderr.contains("tcx/egress/uses_middle"))
    }

    @Test func notAnObjectIsEINVAL() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", tcpFrame())
        let junk = scratch.file("junk.o", text: "not an ELF file")
        let result = try CLI.run(["prog", "run", junk, "tc", "--data-in", packet])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot load the object: EINVAL"))
    }

    @Test func tooShortPacketIsRefusedByTestRun() throws {
        let scratch = try TemporaryDirectory()
        let packet = scratch.file("packet", [1, 2, 3])
        let result = try CLI.run(["prog", "run", subprogs, "uses_middle", "--data-in", packet])
        #expect(result.status != 0)
        #expect(result.stderr.contains("test-run of 'uses_middle' failed: EINVAL"))
    }
}
