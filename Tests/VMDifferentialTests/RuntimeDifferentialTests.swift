import BPFCore
import BPFMaps
import BPFVM
import Foundation
import TCRuntime
import Testing

/// `RuntimeProgramGenerator`'s programs (packet, stack, atomics, context, maps, helpers) through
/// `EngineDifferential`: on the interpreter and on the JIT, the same r0, packet, skb fields,
/// map contents and trace lines. `VMDIFF_RUNTIME_PROGRAMS` sets how many (default 300),
/// `VMDIFF_RUNTIME_SEED` the first seed; program `i` is built from seed + i.
/// `VMDIFF_RUNTIME_SEEDS_DIR` also writes each program there as a seed for the libFuzzer
/// target FuzzJITDifferential (mode byte 0, then the bytecode; its maps have the same indexes).
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct RuntimeDifferentialTests {
    static let count = ProcessInfo.processInfo.environment["VMDIFF_RUNTIME_PROGRAMS"].flatMap(Int.init) ?? 300
    static let seed = ProcessInfo.processInfo.environment["VMDIFF_RUNTIME_SEED"].flatMap { UInt64($0) } ?? 0x51a7_e0c4
    static let seedsDirectory = ProcessInfo.processInfo.environment["VMDIFF_RUNTIME_SEEDS_DIR"]

    /// An IPv4 frame of 64 bytes: what the generated programs check for and read.
    static let packet: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45, 0, 0, 50]
        + (0..<46).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    /// The generator's maps, by index, filled the same for every run.
    @Sendable static func maps() -> [BPFMap] {
        let specs = [
            MapSpec(name: "array", type: .array, keySize: 4, valueSize: 16, maxEntries: 4),
            MapSpec(name: "hash", type: .hash, keySize: 4, valueSize: 8, maxEntries: 6),
            MapSpec(name: "ring", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096),
            MapSpec(name: "queue", type: .queue, keySize: 0, valueSize: 8, maxEntries: 3),
        ]
        let maps = specs.compactMap { try? BPFMap.create($0, possibleCPUs: 2) }
        for index in 0..<UInt8(4) {
            try? maps.first?.update(key: [index, 0, 0, 0], value: (0..<UInt8(16)).map { index &* 16 &+ $0 &+ 1 })
        }
        for key in [UInt8(1), 3, 5] {
            try? maps.dropFirst().first?.update(key: [key, 0, 0, 0], value: [UInt8](repeating: key &* 17, count: 8))
        }
        _ = (maps.last as? QueueStackMap)?.push([9, 8, 7, 6, 5, 4, 3, 2], flags: 0)
        return maps
    }

    @Test func interpreterAndJITAgreeOnRuntimePrograms() throws {
        var verdicts: [String: Int] = [:]
        var findings = 0
        for i in 0..<Self.count {
            let seed = Self.seed &+ UInt64(i)
            var generator = RuntimeProgramGenerator(seed: seed)
            let program = generator.program()
            if let directory = Self.seedsDirectory {
                let file = URL(fileURLWithPath: directory).appendingPathComponent("runtime-\(seed)")
                try Data([0] + Instruction.encode(program)).write(to: file)
            }
            let differential = EngineDifferential(bytes: Instruction.encode(program), packet: Self.packet,
                                                  repeats: i % 4 == 3 ? 2 : 1, makeMaps: Self.maps)
            let verdict = differential.compare()
            switch verdict {
            case .refused:
                verdicts["refused", default: 0] += 1
                if verdicts["refused", default: 0] <= 3, let reason = Self.refusal(program) {
                    print("RuntimeDifferentialTests: seed \(seed) refused: \(reason)")
                }
            case .agree: verdicts["agree", default: 0] += 1
            case .notCompiled, .layoutDependent, .loadsDiffer, .differ:
                findings += 1
                Issue.record("seed \(seed): \(verdict)\n\(Disassembler.listing(program))")
            }
            if findings >= 3 { break }
        }
        print("RuntimeDifferentialTests: \(verdicts) from seed \(Self.seed)")
        // A refusal is a generator bug: it must stay inside what the verifier takes.
        #expect(verdicts["agree", default: 0] >= Self.count * 95 / 100, "\(verdicts)")
    }

    static func refusal(_ program: [Instruction]) -> String? {
        do {
            _ = try TCProgram(bytes: Instruction.encode(program), maps: maps(), executor: .interpreter)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
