import ArgumentParser
import BPFVM
import Engine
import SwiftTCX
import TCXScript

#if canImport(Glibc)
import Glibc
#endif

/// `tcx bench programs [--repeat N]`: clang-compiled tc programs through BPF_PROG_TEST_RUN on
/// both backends in one run (the embedded one on its interpreter and on its JIT), ns per run
/// and the ratios to the kernel.
struct ProgramBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programs",
        abstract: "Time real tc programs on the embedded engine (interpreter and JIT) and the kernel (ns per run, ratios).",
        discussion: """
            Each program runs through test-run with --repeat N on both backends; the figures are \
            the average durations test-run reports. The kernel runs JIT-compiled code when \
            net.core.bpf_jit_enable is 1, which is the speed the engine aims at. Without root the \
            kernel column is skipped. The embedded figures are CPU time of the running thread; the \
            JIT column is '-' where the JIT does not exist (other than x86-64 Linux).
            """)

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Runs per program (test-run's repeat).")
    var repeatCount: UInt32 = 10_000

    @Option(help: "The package's root, which the program list is relative to.")
    var root = "."

    @Flag(help: "Skip the kernel.")
    var embeddedOnly = false

    /// One program's figure on one backend.
    enum Figure {
        case ran(nanoseconds: UInt64, returnValue: UInt32)
        case failed(String)
    }

    func run() throws {
        let embedded = EmbeddedSystem(executor: .interpreter)
        defer { embedded.shutdown() }
        let jit: EmbeddedSystem? = ExecutorKind.jitAvailable ? EmbeddedSystem(executor: .jit) : nil
        defer { jit?.shutdown() }
        var kernel: (any TCXSystem)?
        if !embeddedOnly {
            do {
                kernel = try Backend.kernel.openWorld()
            } catch {
                print("kernel column skipped: \(error)")
            }
        }
        defer { kernel?.shutdown() }
        print(row(["program", "interp ns/run", "jit ns/run", "kernel ns/run", "interp/kernel", "jit/kernel", "interp/jit"]))
        var interpreterRatios: [Double] = [], jitRatios: [Double] = [], speedups: [Double] = []
        for program in BenchProgram.all(root: root) {
            let interpreted = measure(program, in: embedded)
            let jitted = jit.map { measure(program, in: $0) }
            let theirs = kernel.map { measure(program, in: $0) }
            var cells = [program.name, cell(interpreted), jitted.map(cell) ?? "-", theirs.map(cell) ?? "-"]
            cells.append(ratio(interpreted, theirs, into: &interpreterRatios))
            cells.append(ratio(jitted, theirs, into: &jitRatios))
            cells.append(ratio(interpreted, jitted, into: &speedups))
            let returns = [interpreted, jitted, theirs].compactMap { figure -> UInt32? in
                if case .ran(_, let r)? = figure { return r }
                return nil
            }
            if Set(returns).count > 1 { cells.append("  return values differ: \(returns)") }
            print(row(cells))
        }
        printFooter(interpreter: interpreterRatios, jit: jitRatios, speedups: speedups, kernel: kernel != nil)
    }

    /// Loads the program in a world and times it: a warm-up, then `repeatCount` runs.
    private func measure(_ program: BenchProgram, in world: any TCXSystem) -> Figure {
        do {
            guard let system = world as? any BPFObjectSystem else { return .failed("no objects") }
            let bytes = try FileBytes.read(root + "/" + program.object, .object)
            let loaded = try LoadedObject(bytes: bytes, name: program.object, system: system)
            defer { loaded.close() }
            let handle = try loaded.loadProgram(program.section, as: program.section)
            defer { try? world.close(handle) }
            _ = try world.testRun(handle, packet: program.packet, repeat: min(repeatCount, 1000))
            let result = try world.testRun(handle, packet: program.packet, repeat: repeatCount)
            return .ran(nanoseconds: result.durationNanoseconds, returnValue: result.returnValue)
        } catch let error as TCXError {
            return .failed(error.errno.name)
        } catch {
            return .failed("\(error)")
        }
    }

    /// `a / b` as a cell, collected for the geometric mean; "-" when either is missing.
    private func ratio(_ a: Figure?, _ b: Figure?, into ratios: inout [Double]) -> String {
        guard case .ran(let x, _)? = a, case .ran(let y, _)? = b else { return "-" }
        let value = Double(x) / Double(max(y, 1))
        ratios.append(value)
        return String(format: value)
    }

    private func printFooter(interpreter: [Double], jit: [Double], speedups: [Double], kernel: Bool) {
        print("(average ns per run that test-run reports over \(repeatCount) runs of a 256-byte TCP frame)")
        if !speedups.isEmpty { print("geometric mean interp/jit: \(String(format: Self.geometricMean(speedups)))") }
        guard kernel else { return }
        let setting = Self.jitSetting()
        print("kernel: net.core.bpf_jit_enable = \(setting ?? "unknown")"
              + (setting == "0" ? " (interpreter)" : " (programs run JIT-compiled to machine code)"))
        if !interpreter.isEmpty {
            print("geometric mean interp/kernel: \(String(format: Self.geometricMean(interpreter)))")
        }
        if !jit.isEmpty {
            print("geometric mean jit/kernel: \(String(format: Self.geometricMean(jit))) (the goal is the kernel JIT's speed, 1.0)")
        }
    }

    private static func geometricMean(_ values: [Double]) -> Double {
        exp(values.map { log($0) }.reduce(0, +) / Double(values.count))
    }

    private static func jitSetting() -> String? {
        guard let bytes = try? FileBytes.read("/proc/sys/net/core/bpf_jit_enable", .init("sysctl", limit: 64)) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingSuffix
    }

    private func cell(_ figure: Figure) -> String {
        switch figure {
        case .ran(let ns, _): String(ns)
        case .failed(let reason): "error \(reason)"
        }
    }

    /// The name in 26 columns, figures in 15.
    private func row(_ cells: [String]) -> String {
        cells.enumerated().map { index, text in
            let width = index == 0 ? 26 : 15
            return index == cells.count - 1 || text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }.joined().trimmingSuffix
    }
}

private extension String {
    init(format value: Double) {
        self = String((value * 100).rounded() / 100)
    }

    var trimmingSuffix: String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
