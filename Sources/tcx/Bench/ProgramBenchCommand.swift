import ArgumentParser
import SwiftTCX
import TCXScript

#if canImport(Glibc)
import Glibc
#endif

/// `tcx bench programs [--repeat N]`: clang-compiled tc programs through BPF_PROG_TEST_RUN on
/// both backends in one run, ns per run and the ratio embedded/kernel.
struct ProgramBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programs",
        abstract: "Time real tc programs on the embedded engine and the kernel (ns per run, embedded/kernel).",
        discussion: """
            Each program runs through test-run with --repeat N on both backends; the figures are \
            the average durations test-run reports. The kernel runs JIT-compiled code when \
            net.core.bpf_jit_enable is 1, which is the speed the engine aims at. Without root the \
            kernel column is skipped.
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
        let embedded = try Backend.embedded.openWorld()
        defer { embedded.shutdown() }
        var kernel: (any TCXSystem)?
        if !embeddedOnly {
            do {
                kernel = try Backend.kernel.openWorld()
            } catch {
                print("kernel column skipped: \(error)")
            }
        }
        defer { kernel?.shutdown() }
        print(row(["program", "embedded ns/run", "kernel ns/run", "embedded/kernel"]))
        var ratios: [Double] = []
        for program in BenchProgram.all(root: root) {
            let mine = measure(program, in: embedded)
            let theirs = kernel.map { measure(program, in: $0) }
            var cells = [program.name, cell(mine), theirs.map(cell) ?? "-"]
            switch (mine, theirs) {
            case (.ran(let ns, let ret), .ran(let kernelNs, let kernelRet)?):
                let ratio = Double(ns) / Double(max(kernelNs, 1))
                ratios.append(ratio)
                cells.append(String(format: ratio))
                if ret != kernelRet { cells.append("  return values differ: \(ret) vs \(kernelRet)") }
            default:
                cells.append("-")
            }
            print(row(cells))
        }
        printFooter(ratios: ratios, kernel: kernel != nil)
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

    private func printFooter(ratios: [Double], kernel: Bool) {
        print("(average ns per run that test-run reports over \(repeatCount) runs of a 256-byte TCP frame)")
        guard kernel else { return }
        let jit = Self.jitSetting()
        print("kernel: net.core.bpf_jit_enable = \(jit ?? "unknown")"
              + (jit == "0" ? " (interpreter)" : " (programs run JIT-compiled to machine code)"))
        if !ratios.isEmpty {
            let geometricMean = ratios.map { log($0) }.reduce(0, +) / Double(ratios.count)
            print("geometric mean embedded/kernel: \(String(format: exp(geometricMean)))"
                  + " (the goal is the JIT's speed, 1.0)")
        }
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

    /// The name in 26 columns, figures in 18.
    private func row(_ cells: [String]) -> String {
        cells.enumerated().map { index, text in
            let width = index == 0 ? 26 : 18
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
