import Testing

/// `tcx bench programs`: every listed program gets a figure on each backend.
@Suite struct ProgramBenchTests {
    @Test func embeddedFiguresForEveryListedProgram() throws {
        let result = try CLI.run(["bench", "programs", "--repeat", "5", "--embedded-only", "--root", CLI.root])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("program") == true)
        for name in ["checksums", "ctx-read", "counters (legacy maps)", "every map type", "bpf-to-bpf calls"] {
            let row = lines.first { $0.hasPrefix(name + " ") }
            #expect(row?.contains(/^\S.*?\s+\d+\s+-\s+-$/) == true, "\(name): \(row ?? "missing")")
        }
    }

    @Test(.enabled(if: CLI.isRoot, "the kernel column needs root"))
    func kernelColumnAndRatio() throws {
        let result = try CLI.run(["bench", "programs", "--repeat", "5", "--root", CLI.root])
        #expect(result.status == 0, "\(result.stderr)")
        let row = result.stdout.split(separator: "\n").first { $0.hasPrefix("checksums ") }
        #expect(row?.contains(/^checksums\s+\d+\s+\d+\s+\d+(\.\d+)?$/) == true, "\(row ?? "missing")")
        #expect(result.stdout.contains("net.core.bpf_jit_enable"))
        #expect(result.stdout.contains("geometric mean embedded/kernel"))
    }

    @Test(.enabled(if: !CLI.isRoot, "as root the kernel column is there"))
    func notRootSkipsTheKernelWithAReason() throws {
        let result = try CLI.run(["bench", "programs", "--repeat", "5", "--root", CLI.root])
        #expect(result.stdout.hasPrefix("kernel column skipped: "))
    }
}
