import ArgumentParser
import BPFCore
import BPFVM

#if canImport(Glibc)
import Glibc
#endif

/// `tcx bench`: performance measurements.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance.",
        subcommands: [VMBenchCommand.self, MprogBenchCommand.self, ProgramBenchCommand.self, DatapathBenchCommand.self,
                      WorldScaleBenchCommand.self, ObjectHeapBenchCommand.self])
}

/// `tcx bench vm`: nanoseconds per instruction and per run of the interpreter and the JIT (CPU
/// time of this thread), next to the same programs through the kernel's BPF_PROG_TEST_RUN (JIT
/// or interpreter, as the machine is set up).
struct VMBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "Time the eBPF interpreter and JIT on a few programs (ns per run and per instruction), and the kernel's test-run.")

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
        let kinds: [ExecutorKind] = ExecutorKind.jitAvailable ? [.interpreter, .jit] : [.interpreter]
        print(row(["program", "insns/run", "interp ns/run", "interp ns/insn"]
                  + (kinds.contains(.jit) ? ["jit ns/run", "jit ns/insn", "interp/jit"] : [])
                  + (kernel == nil ? [] : ["kernel ns/run", "kernel ns/insn", "interp/kernel"]
                     + (kinds.contains(.jit) ? ["jit/kernel"] : []))))
        for benchmark in Self.cases {
            var figures: [Double] = []
            for kind in kinds {
                var options = VerifierOptions()
                options.executor = kind
                let program = try VMProgram(instructions: benchmark.program, options: options)
                figures.append(try context.withUnsafeMutableBytes { ctx in
                    try nanosecondsPerRun(program, on: kind.executor, context: ctx)
                })
            }
            let executed = Double(benchmark.executed)
            var cells = [benchmark.name, String(benchmark.executed)]
            for ns in figures { cells += [format(ns), format(ns / executed)] }
            if figures.count == 2 { cells.append(format(figures[0] / figures[1])) }
            do {
                if let kernelNs = try kernel?.nanosecondsPerRun(benchmark.program, name: benchmark.name,
                                                               runs: UInt32(clamping: runs)) {
                    cells += [format(kernelNs), format(kernelNs / executed)]
                    // The kernel reports whole nanoseconds: a run under 1 ns reads 0.
                    for ns in figures { cells.append(kernelNs > 0 ? format(ns / kernelNs) : "-") }
                }
            } catch {
                cells.append("kernel: \(error)")
            }
            print(row(cells))
        }
        print("(interp, jit: CPU time of this thread per run, averaged over \(runs) runs after a warm-up)")
        if kernel != nil {
            print("(kernel: average ns per run that BPF_PROG_TEST_RUN reports for \(runs) repetitions)")
        }
    }

    /// Average CPU time of one run, after a warm-up.
    private func nanosecondsPerRun(_ program: VMProgram, on executor: any ProgramExecutor,
                                   context: UnsafeMutableRawBufferPointer) throws -> Double {
        for _ in 0..<min(runs, 1000) { _ = try executor.run(program, context: context, packet: nil,
                                                            environment: RunEnvironment(), r2: 0) }
        let start = Self.cpuNanoseconds()
        for _ in 0..<runs { _ = try executor.run(program, context: context, packet: nil, environment: RunEnvironment(), r2: 0) }
        return Double(Self.cpuNanoseconds() &- start) / Double(max(runs, 1))
    }

    private static func cpuNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
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
