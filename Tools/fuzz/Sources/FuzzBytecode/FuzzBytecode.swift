import BPFCore
import BPFMaps
import BPFVM
import TCRuntime

/// Hostile bytecode. The first byte picks how it runs: bit 0 the executor (JIT or interpreter),
/// bit 1 the program type (SCHED_CLS with the path analysis, or a type loaded with the
/// structural checks only — as SKBHelperSafetyTests does — so helpers see hostile registers),
/// bit 2 a socket filter instead. The rest is the program (8 bytes an instruction), run once on
/// a 64-byte packet with a few maps of its own. A refusal or a run-time fault is fine; a trap,
/// a hang, an unbounded allocation or an ASan report is a finding.
private let unanalysed = ProgramType(rawValue: 2)

// In FuzzJITDifferential's order, which seeds.py's map references name by index.
private let maps: [BPFMap] = [
    MapSpec(name: "array", type: .array, keySize: 4, valueSize: 16, maxEntries: 4),
    MapSpec(name: "hash", type: .hash, keySize: 4, valueSize: 8, maxEntries: 16),
    MapSpec(name: "ring", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096),
    MapSpec(name: "queue", type: .queue, keySize: 0, valueSize: 8, maxEntries: 8),
    MapSpec(name: "progs", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 4),
].compactMap { try? BPFMap.create($0, possibleCPUs: 2) }

private let packet: [UInt8] = [UInt8](repeating: 0xaa, count: 12) + [0x08, 0x00, 0x45, 0x00, 0x00, 50]
    + [UInt8](repeating: 0, count: 46)

/// bpf_send_signal(_thread) and the kfunc bpf_send_signal_task signal this process as the
/// kernel signals the test-run's caller: a real signal would stop the fuzzer, which is the
/// helper doing its job, not a finding.
private func sendsSignals(_ program: ArraySlice<UInt8>) -> Bool {
    var offset = program.startIndex
    while offset + 8 <= program.endIndex {
        if program[offset] == 0x85 {
            let imm = Int32(program[offset + 4]) | Int32(program[offset + 5]) << 8
                | Int32(program[offset + 6]) << 16 | Int32(program[offset + 7]) << 24
            if imm == 109 || imm == 117 || imm == KfuncTable.helperID(.sendSignalTask) { return true }
            if program[offset + 1] >> 4 == 2, imm == EmbeddedKfunc.sendSignalTask.rawValue { return true }
        }
        offset += 8
    }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBytecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 9 else { return 0 }
    let all = UnsafeBufferPointer(start: data, count: size)
    let mode = all[0]
    let body = Array(all[1..<(1 + (size - 1) / 8 * 8)])
    guard !sendsSignals(body[...]) else { return 0 }
    let executor: ExecutorKind = mode & 1 == 0 ? .jit : .interpreter
    let type: ProgramType = mode & 4 != 0 ? .socketFilter : mode & 2 != 0 ? unanalysed : .schedCLS
    guard let program = try? TCProgram(bytes: body, maps: maps, type: type, executor: executor) else { return 0 }
    _ = try? TCTestRun.run(program, packet: packet)
    return 0
}
