import Testing

/// `tcx map dump/lookup/update` on worlds built by a script or an object.
@Suite struct MapCommandTests {
    let legacy = CLI.fixture("objects/legacy_maps.o")

    static let backends = CLI.isRoot ? ["embedded", "kernel"] : ["embedded"]

    /// A script that loads count_legacy and runs it four times on a 78-byte frame: the
    /// program adds skb->len to packets[0].
    func countingScript(in scratch: TemporaryDirectory) -> String {
        scratch.file("plan.tcx", text: """
            prog counter load \(legacy) count_legacy
            test-run counter packet=\(hex(tcpFrame()))
            test-run counter packet=\(hex(tcpFrame())) repeat=3

            """)
    }

    @Test(arguments: backends)
    func dumpAfterAScriptShowsWhatTheProgramsWrote(backend: String) throws {
        let scratch = try TemporaryDirectory()
        let result = try CLI.run(["map", "dump", "packets", "--script", countingScript(in: scratch), "--backend", backend])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            key: 00 00 00 00  value: 38 01 00 00 00 00 00 00
            key: 01 00 00 00  value: 00 00 00 00 00 00 00 00
            key: 02 00 00 00  value: 00 00 00 00 00 00 00 00
            key: 03 00 00 00  value: 00 00 00 00 00 00 00 00
            Found 4 elements

            """)
    }

    @Test func dumpJSONIsBpftoolsShape() throws {
        let scratch = try TemporaryDirectory()
        let result = try CLI.run(["map", "dump", "legacy_maps:packets", "--script", countingScript(in: scratch), "--json"])
        let zero = #"["0x00","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]"#
        #expect(result.stdout.hasPrefix(#"[{"key":["0x00","0x00","0x00","0x00"],"value":["0x38","0x01","0x00","#))
        #expect(result.stdout.hasSuffix(#"{"key":["0x03","0x00","0x00","0x00"],"value":\#(zero)}]"# + "\n"))
    }

    @Test func globalDataStartsWithTheObjectsValues() throws {
        let result = try CLI.run(["map", "dump", "globals.data", "--object", CLI.fixture("objects/globals.o")])
        #expect(result.stdout == "key: 00 00 00 00  value: 07 00 00 00 03 00 00 00\nFound 1 element\n")
    }

    @Test func perCPUValuesGetALinePerCPU() throws {
        let result = try CLI.run(["map", "lookup", "percpu_flows", "--object", CLI.fixture("objects/btf_maps.o"),
                                  "--key", "01000000"])
        #expect(result.status == 1)
        #expect(result.stdout == "key:\n01 00 00 00\n\nNot found\n")
        let array = try CLI.run(["map", "lookup", "percpu_stats", "--object", CLI.fixture("objects/btf_maps.o"),
                                 "--key", "01000000"])
        #expect(array.stdout.hasPrefix("key:\n01 00 00 00\nvalue (CPU 00):\n00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00\n00 00 00 00 00 00 00 00\n"))
    }

    @Test func lookupFindsAndMisses() throws {
        let scratch = try TemporaryDirectory()
        let script = countingScript(in: scratch)
        let found = try CLI.run(["map", "lookup", "packets", "--script", script, "--key", "0x00 0x00 0x00 0x00"])
        #expect(found.status == 0)
        #expect(found.stdout == "key: 00 00 00 00  value: 38 01 00 00 00 00 00 00\n")
        let missing = try CLI.run(["map", "lookup", "sessions", "--script", script, "--key", "0100000000000000", "--json"])
        #expect(missing.status == 1)
        #expect(missing.stdout == "null\n")
    }

    @Test(arguments: backends)
    func updateThenDump(backend: String) throws {
        let result = try CLI.run(["map", "update", "sessions", "--object", legacy, "--backend", backend,
                                  "--key", "01 00 00 00 00 00 00 00", "--value", "0102030405060708090a0b0c0d0e0f10",
                                  "--flags", "noexist"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            key: 01 00 00 00 00 00 00 00  value: 01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10
            Found 1 element

            """)
    }

    // MARK: Errors

    @Test(arguments: backends)
    func wrongKeySizeIsEINVALFromTheMap(backend: String) throws {
        let result = try CLI.run(["map", "lookup", "packets", "--object", legacy, "--backend", backend, "--key", "00 00"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("lookup failed: EINVAL"), "\(result.stderr)")
    }

    @Test(arguments: backends)
    func updateFlagsFollowTheKernel(backend: String) throws {
        // An array's elements always exist: BPF_NOEXIST is EEXIST; past max_entries is E2BIG.
        let exists = try CLI.run(["map", "update", "packets", "--object", legacy, "--backend", backend,
                                  "--key", "00000000", "--value", "0100000000000000", "--flags", "noexist"])
        #expect(exists.stderr.contains("update failed: EEXIST"), "\(exists.stderr)")
        let past = try CLI.run(["map", "update", "packets", "--object", legacy, "--backend", backend,
                                "--key", "09000000", "--value", "0100000000000000"])
        #expect(past.stderr.contains("update failed: E2BIG"), "\(past.stderr)")
        let size = try CLI.run(["map", "update", "packets", "--object", legacy, "--backend", backend,
                                "--key", "00000000", "--value", "01"])
        #expect(size.stderr.contains("update failed: EINVAL"), "\(size.stderr)")
    }

    @Test func badHexNamesTheOption() throws {
        let result = try CLI.run(["map", "lookup", "packets", "--object", legacy, "--key", "00 0g 00 00"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--key: '0g' in '00 0g 00 00' is not hex"))
        let odd = try CLI.run(["map", "update", "packets", "--object", legacy, "--key", "000", "--value", "00"])
        #expect(odd.stderr.contains("--key: '000'"))
    }

    @Test func unknownMapListsTheLoadedOnes() throws {
        let result = try CLI.run(["map", "dump", "nothing", "--object", legacy])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no map 'nothing' (there are: legacy_maps:packets, legacy_maps:sessions)"))
    }

    @Test func missingScriptAndObjectAreNamed() throws {
        let script = try CLI.run(["map", "dump", "packets", "--script", "/nonexistent/plan.tcx"])
        #expect(script.stderr.contains("cannot read script '/nonexistent/plan.tcx': No such file or directory"))
        let object = try CLI.run(["map", "dump", "packets", "--object", "/nonexistent/x.o"])
        #expect(object.stderr.contains("cannot read object file '/nonexistent/x.o': No such file or directory"))
    }

    @Test func scriptLinesThatFailAreReported() throws {
        let scratch = try TemporaryDirectory()
        let script = scratch.file("plan.tcx", text: "prog p load \(legacy) count_legacy\ntest-run p packet=00\n")
        let result = try CLI.run(["map", "dump", "packets", "--script", script])
        #expect(result.status == 0)
        #expect(result.stderr.contains("plan.tcx:2: test-run p packet=00 => error EINVAL"))
    }

    @Test func sourcesAreExclusive() throws {
        let both = try CLI.run(["map", "dump", "packets", "--object", legacy, "--script", "x.tcx"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("Give exactly one of --script, --object or --pinned."))
        let nameless = try CLI.run(["map", "dump", "--object", legacy])
        #expect(nameless.stderr.contains("Missing the MAP name"))
        let embedded = try CLI.run(["map", "dump", "--pinned", "/sys/fs/bpf/x", "--backend", "embedded"])
        #expect(embedded.stderr.contains("--pinned reads the host kernel's bpffs"))
    }
}
