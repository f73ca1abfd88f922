import BPFCore
import BPFMaps
import BPFVM
import Synchronization
import TCRuntime
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs read program arrays and LPM tries without locks or retains; these check that what they
/// read stays valid while writers change it, on the interpreter and on the JIT.
@Suite struct TailCallGraceTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5] + [UInt8](repeating: 0, count: 50)

    /// What the log callback sees in the middle of the target's run.
    final class Watch: @unchecked Sendable {
        weak var target: TCProgram?
        var aliveInside = false
        var deleted = false
    }

    /// The target deletes itself from the program array in the middle of its own run (its
    /// bpf_trace_printk's log callback does), dropping the last reference to it: it must run to
    /// its end, and be released once the run has ended, as the kernel's RCU does.
    @Test(arguments: ExecutorKind.allCases)
    func targetDeletedDuringItsRunLivesUntilTheRunEnds(kind: ExecutorKind) throws {
        let progs = try #require(try BPFMap.create(MapSpec(name: "p", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 2),
                                                   possibleCPUs: 1) as? ProgramArrayMap)
        let watch = Watch()
        do {
            // r6 = ctx; trace_printk("hi\n"); return skb->len
            let target = try TCProgram(instructions: [
                Asm.movReg(6, 1), Asm.storeImm(4, 10, -8, 0x000a_6968),
                Asm.movReg(1, 10), Asm.add(1, -8), Asm.mov(2, 4), Asm.call(6),
                Asm.load(4, 0, 6, Int16(SKBField.len)), Asm.exit,
            ], executor: kind)
            watch.target = target
            try progs.setProgram(ProgramReference(id: 9, program: target), at: 1)
        }
        #expect(watch.target != nil, "the slot holds the target")
        let caller = try TCProgram(instructions: Asm.lddw(2, src: 5, 0) + [
            Asm.mov(3, 1), Asm.call(12), Asm.mov(0, 1), Asm.exit,
        ], maps: [progs], executor: kind)
        let runner = TCProgramRunner(services: TCServices(log: { _ in
            watch.deleted = (try? progs.setProgram(nil, at: 1)) != nil
            watch.aliveInside = watch.target != nil
        }), executor: kind)
        let result = try TCTestRun.run(caller, packet: Self.packet, runner: runner)
        #expect(watch.deleted)
        #expect(watch.aliveInside, "released while its own run was inside it")
        #expect(result.returnValue == UInt32(Self.packet.count))
        // Released when the last run inside leaves (another test's run may still be inside).
        var waited = 0
        while watch.target != nil, waited < 200 {
            usleep(10_000)
            waited += 1
            if waited % 20 == 0 { _ = try TCTestRun.run(caller, packet: Self.packet, runner: runner) }
        }
        #expect(watch.target == nil, "the deleted target was never released")
    }

    /// Runs look up 10.1.2.3 and 10.9.9.9 in an LPM trie while a thread adds, rewrites and
    /// deletes prefixes: 10.9.9.9 must always find 10/8 (the only element holding 8), 10.1.2.3
    /// one of 10/8, 10.1/16, 10.1.2/24. On both engines at once.
    @Test func lpmLookupsUnderUpdates() async throws {
        let lpm = try BPFMap.create(MapSpec(name: "l", type: .lpmTrie, keySize: 8, valueSize: 8, maxEntries: 64,
                                            flags: MapFlags.noPrealloc), possibleCPUs: 1)
        func key(_ prefix: UInt32, _ address: [UInt8]) -> [UInt8] { withUnsafeBytes(of: prefix) { Array($0) } + address }
        func value(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        try lpm.update(key: key(8, [10, 0, 0, 0]), value: value(8))
        // return lookup(lpm, {32, address})?.value ?? 0xffff
        func program(_ address: UInt32, _ kind: ExecutorKind) throws -> TCProgram {
            try TCProgram(instructions: [
                Asm.storeImm(4, 10, -8, 32), Asm.storeImm(4, 10, -4, Int32(bitPattern: address)),
            ] + Asm.lddw(1, src: 5, 0) + [
                Asm.movReg(2, 10), Asm.add(2, -8), Asm.call(1),
                Asm.jeq(0, 0, 2), Asm.load(8, 0, 0, 0), Asm.exit,
                Asm.mov(0, 0xffff), Asm.exit,
            ], maps: [lpm], executor: kind)
        }
        let inside: UInt32 = 0x0302_010a, beside: UInt32 = 0x0909_090a  // 10.1.2.3, 10.9.9.9
        let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
            for kind in ExecutorKind.allCases {
                let insideProgram = try program(inside, kind), besideProgram = try program(beside, kind)
                let runner = TCProgramRunner(executor: kind)
                group.addTask {
                    var wrong = 0
                    for _ in 0..<5_000 {
                        let found = try TCTestRun.run(insideProgram, packet: Self.packet, runner: runner).returnValue
                        if ![8, 16, 24].contains(found) { wrong += 1 }
                        if try TCTestRun.run(besideProgram, packet: Self.packet, runner: runner).returnValue != 8 { wrong += 1 }
                    }
                    return wrong
                }
            }
            group.addTask {
                for round in 0..<2_000 {
                    try? lpm.update(key: key(16, [10, 1, 0, 0]), value: value(16))
                    try? lpm.update(key: key(24, [10, 1, 2, 0]), value: value(24))
                    if round % 3 == 0 { try? lpm.delete(key: key(24, [10, 1, 2, 0])) }
                    if round % 5 == 0 { try? lpm.delete(key: key(16, [10, 1, 0, 0])) }
                    try? lpm.update(key: key(32, [12, UInt8(round % 40), 7, 1]), value: value(24))
                    if round % 2 == 1 { try? lpm.delete(key: key(32, [12, UInt8((round / 2) % 40), 7, 1])) }
                }
                return 0
            }
            var total = 0
            for try await count in group { total += count }
            return total
        }
        #expect(wrong == 0)
    }
}
