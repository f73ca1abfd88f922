import BPFCore
import BPFVM
import Foundation
import Testing

/// Random and mutated bytecode through the verifier and the interpreter: nothing may crash, and
/// bytes around the context and packet must stay untouched. Run longer with
/// `BPFVM_FUZZ_ITERATIONS=1000000` (and `--sanitize=address`, see docs/vm.md).
@Suite struct FuzzTests {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["BPFVM_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3000
    }
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["BPFVM_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5eed
    }

    /// Opcodes the ISA defines, so random programs get past decoding often enough to run.
    static let opcodes: [UInt8] = {
        var all: [UInt8] = []
        for cls: UInt8 in [0x04, 0x07] { for op in stride(from: 0x00, through: 0xd0, by: 0x10) { all += [UInt8(op) | cls, UInt8(op) | cls | 0x08] } }
        for cls: UInt8 in [0x05, 0x06] { for op in stride(from: 0x00, through: 0xd0, by: 0x10) { all += [UInt8(op) | cls, UInt8(op) | cls | 0x08] } }
        for size: UInt8 in [0x00, 0x08, 0x10, 0x18] {
            all += [0x61 | size, 0x81 | size, 0x62 | size, 0x63 | size, 0xc3 | size, 0x20 | size, 0x40 | size]
        }
        return all + [0x18, 0x95, 0x85, 0x8d]
    }()

    static let atomicImms: [Int32] = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x100, 0x110]

    static func randomInstruction(_ rng: inout SplitMix64) -> [Instruction] {
        let opcode = opcodes[Int(rng.next() % UInt64(opcodes.count))]
        let reg = { (rng: inout SplitMix64) -> UInt8 in rng.next() % 8 == 0 ? 10 : UInt8(rng.next() % 10) }
        let offsets: [Int16] = [0, 1, 2, -1, -2, -8, -16, 4, 8, 16, -512]
        var imm = Int32(truncatingIfNeeded: rng.next())
        if rng.next() % 2 == 0 { imm = Int32(truncatingIfNeeded: rng.next() % 64) }
        if opcode & 0xe7 == 0xc3 { imm = atomicImms[Int(rng.next() % UInt64(atomicImms.count))] }
        if opcode == 0x85 { imm = rng.next() % 4 == 0 ? Int32(rng.next() % 6) - 2 : Int32(rng.next() % 14) }
        let insn = Instruction(opcode: opcode, dst: reg(&rng), src: opcode & 0x08 != 0 || opcode & 0x07 >= 1 && opcode & 0x07 <= 3 ? reg(&rng) : 0,
                               offset: offsets[Int(rng.next() % UInt64(offsets.count))], imm: imm)
        if opcode == 0x18 { return [insn, Instruction(opcode: 0, imm: Int32(truncatingIfNeeded: rng.next()))] }
        return [insn]
    }

    static func randomProgram(_ rng: inout SplitMix64) -> [UInt8] {
        var program: [Instruction] = [Instruction(opcode: 0xb7, dst: 0)]
        for r: UInt8 in 2...9 { program.append(Instruction(opcode: 0xb7, dst: r, imm: Int32(rng.next() % 100))) }
        let length = Int(rng.next() % 12)
        for _ in 0..<length { program += randomInstruction(&rng) }
        program.append(Instruction(opcode: 0x95))
        return Instruction.encode(program)
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + rng.next() % 4) where !out.isEmpty {
            let i = Int(rng.next() % UInt64(out.count))
            switch rng.next() % 3 {
            case 0: out[i] ^= UInt8(1 << (rng.next() % 8))
            case 1: out[i] = UInt8(truncatingIfNeeded: rng.next())
            default: out[i] = [0, 1, 0xff, 0x80, 0x7f][Int(rng.next() % 5)]
            }
        }
        return out
    }

    static var options: VerifierOptions {
        var options = ConformanceTests.options
        options.maxExecutedInstructions = 50_000
        options.rejectUnreachable = false
        return options
    }

    /// Runs `bytes` with guard bytes on both sides of the context and the packet.
    static func exercise(_ bytes: [UInt8], options: VerifierOptions) -> Bool {
        guard let program = try? VMProgram(bytes: bytes, options: options) else { return true }
        let guardBytes = 64, size = 64
        var block = [UInt8](repeating: 0xcc, count: guardBytes * 4 + size * 2)
        return block.withUnsafeMutableBytes { all in
            let ctx = UnsafeMutableRawBufferPointer(rebasing: all[guardBytes..<(guardBytes + size)])
            let pkt = UnsafeMutableRawBufferPointer(rebasing: all[(guardBytes * 3 + size)..<(guardBytes * 3 + size * 2)])
            for i in 0..<size { ctx[i] = UInt8(i); pkt[i] = UInt8(255 - i) }
            _ = try? Interpreter.run(program, context: ctx, packet: pkt, r2: UInt64(size))
            let untouched = (0..<guardBytes).allSatisfy { all[$0] == 0xcc }
                && ((guardBytes + size)..<(guardBytes * 3 + size)).allSatisfy { all[$0] == 0xcc }
                && ((guardBytes * 3 + size * 2)..<all.count).allSatisfy { all[$0] == 0xcc }
            return untouched
        }
    }

    @Test func randomPrograms() {
        var rng = SplitMix64(seed: Self.seed)
        var accepted = 0
        for i in 0..<Self.iterations {
            let bytes = Self.randomProgram(&rng)
            if (try? VMProgram(bytes: bytes, options: Self.options)) != nil { accepted += 1 }
            #expect(Self.exercise(bytes, options: Self.options), "iteration \(i): \(bytes)")
        }
        // The generator must reach the interpreter, or this test proves nothing.
        #expect(accepted > Self.iterations / 20, "only \(accepted) accepted")
    }

    @Test func mutatedConformancePrograms() {
        var rng = SplitMix64(seed: Self.seed ^ 0xface)
        let corpus = ConformanceTests.files.map(\.program)
        guard !corpus.isEmpty else { Issue.record("no conformance corpus"); return }
        for i in 0..<Self.iterations {
            let bytes = Self.mutate(corpus[Int(rng.next() % UInt64(corpus.count))], &rng)
            #expect(Self.exercise(bytes, options: Self.options), "iteration \(i): \(bytes)")
        }
    }
}

/// A small, seedable generator so a failing iteration can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
