import ArgumentParser
import BPFCore
import BPFVM

/// `tcx bench`: performance measurements.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance.",
        subcommands: [VMBenchCommand.self, MprogBenchCommand.self, ProgramBenchCommand.self, DatapathBenchCommand.self,
                      WorldScaleBenchCommand.self])
}

/// `tcx bench vm`: nanoseconds per instruction and per run of the interpreter, next to the same
/// programs through the kernel's BPF_PROG_TEST_RUN (JIT or interpreter, as the machine is set up).
struct VMBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "Time the eBPF interpreter on a few programs (ns per instruction and per run), and the kernel's test-run.")

    @Option(help: "Runs per program.") var runs = 20_000
    @Flag(help: "Skip the kernel's test-run.") var vmOnly = false

    /// A benchmark program and how many instructions one run executes.
    struct Case {
        var name: String
        var program: [Instruction]
        var executed: Int
    }

    static var cases: [Case] {
        let exit = Instruction(opcode: 0x95)
        // r0 = 0; loop 1000 times: r0 += r2; r0 ^= 0x5a; r2 = (r2 * 3) & 0xffff; r1 -= 1.
        let alu = [Instruction(opcode: 0xb7, dst: 0), Instruction(opcode: 0xb7, dst: 1, imm: 1000),
                   Instruction(opcode: 0xb7, dst: 2, imm: 7),
                   Instruction(opcode: 0x0f, dst: 0, src: 2), Instruction(opcode: 0xa7, dst: 0, imm: 0x5a),
                   Instruction(opcode: 0x27, dst: 2, imm: 3), Instruction(opcode: 0x57, dst: 2, imm: 0xffff),
                   Instruction(opcode: 0x17, dst: 1, imm: 1), Instruction(opcode: 0x55, dst: 1, offset: -6, imm: 0),
                   exit]
        // Stack traffic: store, load, add, 1000 times.
        let memory = [Instruction(opcode: 0xb7, dst: 0), Instruction(opcode: 0xb7, dst: 1, imm: 1000),
                      Instruction(opcode: 0x7b, dst: 10, src: 1, offset: -8),
                      Instruction(opcode: 0x79, dst: 3, src: 10, offset: -8), Instruction(opcode: 0x0f, dst: 0, src: 3),
                      Instruction(opcode: 0x17, dst: 1, imm: 1), Instruction(opcode: 0x55, dst: 1, offset: -5, imm: 0),
                      exit]
        // Context reads like a packet classifier: 8 loads and compares, no loop.
        var classify: [Instruction] = [Instruction(opcode: 0xb7, dst: 0)]
        for i in 0..<8 {
            classify += [Instruction(opcode: 0x61, dst: 2, src: 1, offset: Int16(i * 4)),
                         Instruction(opcode: 0x15, dst: 2, offset: 1, imm: 0x7fff_ffff),
                         Instruction(opcode: 0x07, dst: 0, imm: 1)]
        }
        classify.append(exit)
        // A bpf-to-bpf call 100 times; the callee returns 1 and the caller sums.
        let calls = [Instruction(opcode: 0xb7, dst: 6, imm: 100), Instruction(opcode: 0xb7, dst: 7),
                     Instruction(opcode: 0x85, src: 1, imm: 5), Instruction(opcode: 0x0f, dst: 7, src: 0),
                     Instruction(opcode: 0x17, dst: 6, imm: 1), Instruction(opcode: 0x55, dst: 6, offset: -4, imm: 0),
                     Instruction(opcode: 0xbf, dst: 0, src: 7), exit,
                     Instruction(opcode: 0xb7, dst: 0, imm: 1), exit]
        return [Case(name: "alu-loop", program: alu, executed: 3 + 1000 * 6 + 1),
                Case(name: "stack-loop", program: memory, executed: 2 + 1000 * 5 + 1),
                Case(name: "classifier", program: classify, executed: 1 + 8 * 3 + 1),
                Case(name: "calls", program: calls, executed: 2 + 100 * 6 + 2)]
    }

    func run() throws {
        var kernel: KernelTestRunTimer?
        if !vmOnly {
            switch KernelTestRunTimer.open() {
            case .success(let timer): kernel = timer
            case .failure(let error): print("kernel test-run unavailable (\(error)); VM figures only")
            }
        }
        var context = [UInt8](repeating: 0, count: 64)
        print(row(["program", "insns/run", "vm ns/run", "vm ns/insn"]
                  + (kernel == nil ? [] : ["kernel ns/run", "kernel ns/insn", "vm/kernel"])))
        for benchmark in Self.cases {
            let program = try VMProgram(instructions: benchmark.program)
            let elapsed = try context.withUnsafeMutableBytes { ctx in
                for _ in 0..<min(runs, 1000) { _ = try Interpreter.run(program, context: ctx) }  // warm-up
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<runs { _ = try Interpreter.run(program, context: ctx) }
                return clock.now - start
            }
            let nsPerRun = Double(elapsed.components.seconds) * 1e9 / Double(runs)
                + Double(elapsed.components.attoseconds) / 1e9 / Double(runs)
            let executed = Double(benchmark.executed)
            var cells = [benchmark.name, String(benchmark.executed), format(nsPerRun), format(nsPerRun / executed)]
            do {
                if let kernelNs = try kernel?.nanosecondsPerRun(benchmark.program, name: benchmark.name,
                                                               runs: UInt32(clamping: runs)) {
                    // The kernel reports whole nanoseconds: a run under 1 ns reads 0.
                    let ratio = kernelNs > 0 ? format(nsPerRun / kernelNs) : "-"
                    cells += [format(kernelNs), format(kernelNs / executed), ratio]
                }
            } catch {
                cells.append("kernel: \(error)")
            }
            print(row(cells))
        }
        if kernel != nil {
            print("(kernel: average ns per run that BPF_PROG_TEST_RUN reports for \(runs) repetitions)")
        }
    }

    /// Columns of 16 characters; the last one as long as it is.
    private func row(_ cells: [String]) -> String {
        cells.dropLast().map { $0.leftAligned(16) }.joined() + (cells.last ?? "")
    }

    private func format(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return String(scaled)
    }
}

private extension String {
    func leftAligned(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
