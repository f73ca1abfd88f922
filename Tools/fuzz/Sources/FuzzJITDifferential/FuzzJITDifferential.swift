import BPFCore
import BPFVM
import Glibc
import TCRuntime

/// Hostile bytecode on both engines (`EngineDifferential`): the same accepted program, packet,
/// map contents and services, once on the JIT and once on the interpreter. The return value,
/// the fault, the packet and skb fields left behind, every map's contents and the trace lines
/// must match; a difference that the interpreter reproduces on another thread at other
/// addresses traps, as does a program one engine's load accepts and the other's refuses.
/// Input as FuzzBytecode's, so the seeds are shared: the mode byte, then the program. Bit 0
/// repeats the run three times on one skb (the JIT's prepared-block path), bit 1 loads a type
/// with the run-time checks only (helpers see hostile registers), bit 2 a socket filter.
/// Programs calling a helper whose answer does not follow from the run are skipped
/// (`EngineDifferential.callsNondeterministic`).
private let unanalysed = ProgramType(rawValue: 2)

private let packet: [UInt8] = [UInt8](repeating: 0xaa, count: 12) + [0x08, 0x00, 0x45, 0x00, 0x00, 50]
    + [UInt8](repeating: 0, count: 46)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJITDifferential(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard ExecutorKind.jitAvailable, size >= 9 else { return 0 }
    let all = UnsafeBufferPointer(start: data, count: size)
    let mode = all[0]
    let body = Array(all[1..<(1 + (size - 1) / 8 * 8)])
    guard !EngineDifferential.callsNondeterministic(body) else {
        VerdictCounts.count("nondeterministic helper")
        return 0
    }
    let type: ProgramType = mode & 4 != 0 ? .socketFilter : mode & 2 != 0 ? unanalysed : .schedCLS
    let differential = EngineDifferential(bytes: body, type: type, packet: packet, repeats: mode & 1 != 0 ? 3 : 1,
                                          makeMaps: FuzzMaps.make)
    let verdict = differential.compare()
    VerdictCounts.count(verdict)
    switch verdict {
    case .refused, .notCompiled, .agree, .layoutDependent:
        return 0
    case .loadsDiffer(let reason):
        fatalError("mode \(mode): \(reason)\n\(listing(body))")
    case .differ(let interpreter, let jit):
        fatalError("""
            mode \(mode): the JIT and the interpreter differ
            interpreter: \(interpreter)
            JIT:         \(jit)
            \(listing(body))
            """)
    }
}

private func listing(_ body: [UInt8]) -> String {
    Instruction.decode(body).map { Disassembler.listing($0) } ?? "(not whole instructions)"
}

/// With TCX_FUZZ_STATS set, how inputs ended, printed every 65 536 inputs: how many were
/// compared at all is what a campaign's numbers mean.
private enum VerdictCounts {
    static let enabled = getenv("TCX_FUZZ_STATS") != nil
    static var counts: [String: Int] = [:]
    static var total = 0

    static func count(_ verdict: EngineDifferential.Verdict) {
        guard enabled else { return }
        switch verdict {
        case .refused: count("refused")
        case .notCompiled: count("not compiled")
        case .agree: count("agree")
        case .layoutDependent: count("layout-dependent")
        case .loadsDiffer, .differ: count("differ")
        }
    }

    static func count(_ name: String) {
        guard enabled else { return }
        counts[name, default: 0] += 1
        total += 1
        if total % 65_536 == 0 {
            let line = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            fputs("verdicts after \(total): \(line)\n", stderr)
        }
    }
}
