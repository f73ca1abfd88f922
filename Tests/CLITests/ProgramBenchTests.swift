import Testing

/// `tcx bench programs`: every listed program gets a figure on each backend, the embedded one
/// on its interpreter and (x86-64 Linux) its JIT.
@Suite struct ProgramBenchTests {
    #if arch(x86_64) && os(Linux)
    static let hasJIT = true
    #else
    static let hasJIT = false
    #endif

    @Test func embeddedFiguresForEveryListedProgram() throws {
        let result = try CLI.run(["bench", "programs", "--repeat", "5", "--embedded-only", "--root", CLI.root])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("program") == true)
        for name in ["checksums", "ctx-read", "counters (legacy maps)", "every map type", "bpf-to-bpf calls"] {
            let row = lines.first { $0.hasPrefix(name + " ") }
            // interp, jit, kernel, interp/kernel, jit/kernel, interp/jit
            let pattern: Regex<Substring>
            if Self.hasJIT {
                pattern = /^\S.*?\s+\d+\s+\d+\s+-\s+-\s+-\s+\d+(?:\.\d+)?$/
            } else {
                pattern = /^\S.*?\s+\d+\s+-\s+-\s+-\s+-\s+-$/
            }
            #expect(row?.contains(pattern) == true, "\(name): \(row ?? "missing")")
        }
    }

    @Test(.enabled(if: CLI.isRoot, "the kernel column needs root"))
    func kernelColumnAndRatio() throws {
        let result = try CLI.run(["bench", "programs", "--repeat", "5", "--root", CLI.root])
        #expect(result.status == 0, "\(result.stderr)")
        let row = result.stdout.split(separator: "\n").first { $0.hasPrefix("checksums ") }
        let pattern: Regex<Substring>
        if Self.hasJIT {
            pattern = /^checksums\s+\d+\s+\d+\s+\d+\s+\d+(?:\.\d+)?\s+\d+(?:\.\d+)?\s+\d+(?:\.\d+)?$/
        } else {
            pattern = /^checksums\s+\d+\s+-\s+\d+\s+\d+(?:\.\d+)?\s+-\s+-$/
        }
        #expect(row?.contains(pattern) == true, "\(row ?? "missing")")
        #expect(result.stdout.contains("net.core.bpf_jit_enable"))
        #expect(result.stdout.contains("geometric mean interp/kernel"))
        #expect(result.stdout.contains("geometric mean jit/kernel") == Self.hasJIT)
    }

    @Test(.enabled(if: !CLI.isRoot, "as root the kernel column is there"))
    func notRootSkipsTheKernelWithAReason() throws {
        let result = try CLI.run(["bench", "programs", "--repeat", "5", "--root", CLI.root])
        #expect(result.stdout.hasPrefix("kernel column skipped: "))
    }
}
