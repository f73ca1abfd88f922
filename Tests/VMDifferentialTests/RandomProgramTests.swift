import BPFCore
import Foundation
import LinuxKernel
import Testing

/// Generated programs on the kernel and the VM: the same r0 every time.
///
/// `VMDIFF_PROGRAMS` sets how many (default 5000), `VMDIFF_SEED` the first seed; program `i`
/// is built from seed + i, so a failure names the seed that rebuilds it.
@Suite(needsKernel)
struct RandomProgramTests {
    static let count = ProcessInfo.processInfo.environment["VMDIFF_PROGRAMS"].flatMap(Int.init) ?? 5000
    static let seed = ProcessInfo.processInfo.environment["VMDIFF_SEED"].flatMap { UInt64($0) } ?? 0x7c5d_1f0e

    @Test func kernelAndVMAgree() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let runner = DualRunner(world: world)
        var loaded = 0, refusals: [String] = [], mismatches = 0
        for i in 0..<Self.count {
            let seed = Self.seed &+ UInt64(i)
            var generator = ProgramGenerator(seed: seed)
            let program = generator.program()
            switch try runner.run(program) {
            case .kernelRefused(let reason):
                refusals.append("seed \(seed): \(reason)")
            case .ran(let kernel, let vm):
                loaded += 1
                if kernel != vm {
                    mismatches += 1
                    Issue.record("seed \(seed): kernel r0 \(hex(kernel)), VM \(hex(vm))\n\(Disassembler.listing(program))")
                }
            case .vmRefused(let reason), .vmFault(let reason):
                Issue.record("seed \(seed): the kernel ran it, the VM did not: \(reason)\n\(Disassembler.listing(program))")
            }
            if mismatches >= 5 { break }
        }
        let rate = Double(loaded) / Double(loaded + refusals.count)
        print("VMDifferentialTests: \(loaded) of \(loaded + refusals.count) programs loaded by the kernel "
              + "(\(String(format: "%.2f", rate * 100))%), seeds from \(Self.seed)")
        for refusal in refusals.prefix(5) { print("  refused: \(refusal)") }
        // A refusal is a generator bug: the generator must stay inside what the verifier takes.
        #expect(rate >= 0.99, "kernel refusals: \(refusals.prefix(3))")
    }
}

func hex<T: BinaryInteger>(_ value: T) -> String { "0x" + String(value, radix: 16) }
