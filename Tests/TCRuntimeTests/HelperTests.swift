import BPFCore
import BPFMaps
import BPFVM
import Synchronization
import TCRuntime
import Testing

/// Helpers the kernel-recorded cases cannot reach without an object loader: maps, tail calls,
/// bpf_loop, trace_printk, the ring buffer.
@Suite struct HelperTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5] + [UInt8](repeating: 0, count: 50)

    static func array(values: UInt32 = 4, valueSize: UInt32 = 8, flags: UInt32 = 0) throws -> BPFMap {
        try BPFMap.create(MapSpec(name: "a", type: .array, keySize: 4, valueSize: valueSize, maxEntries: values, flags: flags),
                          possibleCPUs: 2)
    }

    /// `*(u64 *)lookup(map, &1) += 5`, then update key 2 and delete key 0 (an array refuses).
    @Test func lookupUpdateDelete() throws {
        let map = try Self.array()
        let program = try TCProgram(instructions: [
            Asm.storeImm(4, 10, -4, 1),
        ] + Asm.lddw(1, src: 5, 0) + [
            Asm.movReg(2, 10), Asm.add(2, -4), Asm.call(1),
            Asm.jeq(0, 0, 3),
            Asm.load(8, 3, 0, 0), Asm.add(3, 5), Asm.store(8, 0, 0, 3),
            Asm.storeImm(8, 10, -16, 77), Asm.storeImm(4, 10, -4, 2),
        ] + Asm.lddw(1, src: 5, 0) + [
            Asm.movReg(2, 10), Asm.add(2, -4), Asm.movReg(3, 10), Asm.add(3, -16), Asm.mov(4, 0), Asm.call(2),
            Asm.movReg(6, 0),
            Asm.storeImm(4, 10, -4, 0),
        ] + Asm.lddw(1, src: 5, 0) + [
            Asm.movReg(2, 10), Asm.add(2, -4), Asm.call(3),
            Asm.mul(0, 1000), Asm.addReg(0, 6), Asm.exit,
        ], maps: [map])
        let result = try TCTestRun.run(program, packet: Self.packet, repeat: 2,
                                       runner: TCProgramRunner(services: TCServices(processorID: { 0 })))
        #expect(Int32(bitPattern: result.returnValue) == -22 * 1000)
        #expect(try map.lookup(key: [1, 0, 0, 0]) == [10, 0, 0, 0, 0, 0, 0, 0])
        #expect(try map.lookup(key: [2, 0, 0, 0]) == [77, 0, 0, 0, 0, 0, 0, 0])
    }

    /// A map value outside what lookup returned is refused at load, as the kernel refuses it.
    @Test func valueBoundsAreEnforced() throws {
        let map = try Self.array()
        #expect(throws: VMError(instruction: 7, "invalid access to map value, value_size=8 off=8 size=8", errno: .EACCES)) {
            _ = try TCProgram(instructions: [Asm.storeImm(4, 10, -4, 0)] + Asm.lddw(1, src: 5, 0) + [
                Asm.movReg(2, 10), Asm.add(2, -4), Asm.call(1), Asm.jeq(0, 0, 1), Asm.load(8, 0, 0, 8), Asm.exit,
            ], maps: [map])
        }
    }

    /// Global data: `lddw src=6` points into the value of a one-entry array.
    @Test func globalData() throws {
        let data = try Self.array(values: 1, valueSize: 16)
        let program = try TCProgram(instructions: Asm.lddw(1, src: 6, 0, high: 8) + [
            Asm.storeImm(8, 1, 0, 99), Asm.mov(0, 0), Asm.exit,
        ], maps: [data])
        _ = try TCTestRun.run(program, packet: Self.packet)
        #expect(try data.lookup(key: [0, 0, 0, 0]) == [0, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func tailCall() throws {
        let progs = try BPFMap.create(MapSpec(name: "p", type: .progArray, keySize: 4, valueSize: 4, maxEntries: 2),
                                      possibleCPUs: 1) as! ProgramArrayMap
        let target = try TCProgram(instructions: [Asm.load(4, 0, 1, Int16(SKBField.len)), Asm.exit])
        try progs.setProgram(ProgramReference(id: 9, program: target), at: 1)
        // A call clobbers r1-r5, so the second tail call sets its arguments again.
        let caller = try TCProgram(instructions: [Asm.movReg(6, 1)] + Asm.lddw(2, src: 5, 0) + [
            Asm.mov(3, 0), Asm.call(12),        // empty slot: continues
            Asm.movReg(1, 6),
        ] + Asm.lddw(2, src: 5, 0) + [
            Asm.mov(3, 1), Asm.call(12),        // jumps
            Asm.mov(0, 1), Asm.exit,
        ], maps: [progs])
        let result = try TCTestRun.run(caller, packet: Self.packet)
        #expect(result.returnValue == UInt32(Self.packet.count))
    }

    /// bpf_loop(5, callback, &sum, 0) with the callback adding its index; then a loop whose
    /// callback stops at index 2.
    @Test func loopCallsBack() throws {
        func program(stopAt: Int32) throws -> TCProgram {
            try TCProgram(instructions: [
                Asm.storeImm(8, 10, -8, 0), Asm.mov(1, 5),
            ] + Asm.lddw(2, src: 4, 9) + [
                Asm.movReg(3, 10), Asm.add(3, -8), Asm.mov(4, 0), Asm.call(181),
                Asm.load(8, 1, 10, -8), Asm.mul(0, 100), Asm.addReg(0, 1), Asm.exit,
                // callback(index r1, ctx r2)
                Asm.load(8, 3, 2, 0), Asm.addReg(3, 1), Asm.store(8, 2, 0, 3),
                Asm.mov(0, 0), Asm.jeq(1, stopAt, 1), Asm.exit, Asm.mov(0, 1), Asm.exit,
            ])
        }
        #expect(try TCTestRun.run(try program(stopAt: 99), packet: Self.packet).returnValue == 510)
        #expect(try TCTestRun.run(try program(stopAt: 2), packet: Self.packet).returnValue == 303)
    }

    @Test func tracePrintk() throws {
        let lines = Mutex<[String]>([])
        let runner = TCProgramRunner(services: TCServices(log: { line in lines.withLock { $0.append(line) } }))
        // "v=%d %04x\n" on the stack, then args -3 and 0xab.
        let text = Array("v=%d %04x|%s\n".utf8) + [0, 0, 0]
        var body: [Instruction] = []
        for i in stride(from: 0, to: text.count, by: 4) {
            let word = Int32(bitPattern: UInt32(text[i]) | UInt32(text[i + 1]) << 8 | UInt32(text[i + 2]) << 16 | UInt32(text[i + 3]) << 24)
            body.append(Asm.storeImm(4, 10, Int16(-32 + i), word))
        }
        body.append(Asm.storeImm(4, 10, -40, Int32(bitPattern: 0x0069_6869)))  // "ihi\0"
        body += [Asm.movReg(1, 10), Asm.add(1, -32), Asm.mov(2, Int32(text.count)), Asm.mov(3, -3), Asm.mov(4, 0xab),
                 Asm.movReg(5, 10), Asm.add(5, -40), Asm.call(6), Asm.exit]
        let result = try TCTestRun.run(try TCProgram(instructions: body), packet: Self.packet, runner: runner)
        #expect(lines.withLock { $0 } == ["v=-3 00ab|ihi\n"])
        #expect(result.returnValue == 14)
    }

    @Test func ringBuffer() throws {
        let ring = try BPFMap.create(MapSpec(name: "r", type: .ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096),
                                     possibleCPUs: 1) as! RingBufferMap
        let program = try TCProgram(instructions: Asm.lddw(1, src: 5, 0) + [
            Asm.mov(2, 8), Asm.mov(3, 0), Asm.call(131), Asm.jeq(0, 0, 4),
            Asm.storeImm(8, 0, 0, 42), Asm.movReg(1, 0), Asm.mov(2, 0), Asm.call(132),
            Asm.storeImm(8, 10, -8, 7),
        ] + Asm.lddw(1, src: 5, 0) + [
            Asm.movReg(2, 10), Asm.add(2, -8), Asm.mov(3, 8), Asm.mov(4, 0), Asm.call(130), Asm.exit,
        ], maps: [ring])
        let result = try TCTestRun.run(program, packet: Self.packet)
        #expect(result.returnValue == 0)
        #expect(ring.producerPosition == 32)  // two 8-byte records with 8-byte headers
    }

    /// Redirect records the target; the datapath reads it with the verdict.
    @Test func redirectTarget() throws {
        let program = try TCProgram(instructions: [Asm.mov(1, 4), Asm.mov(2, 1), Asm.call(23), Asm.exit])
        let result = try TCTestRun.run(program, packet: Self.packet)
        #expect(result.returnValue == 7)
        #expect(result.redirect == RedirectTarget(ifindex: 4, direction: .ingress))
    }

    /// One program, one runner, many threads, an skb each.
    @Test func concurrentRuns() async throws {
        let program = try TCProgram(bytes: try Fixtures.section("tc/vlan_roundtrip", of: "resize.o"))
        let runner = TCProgramRunner()
        let results = await withTaskGroup(of: [UInt32].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    (0..<500).map { _ in (try? TCTestRun.run(program, packet: Self.packet, runner: runner))?.returnValue ?? 0 }
                }
            }
            var all: [UInt32] = []
            for await part in group { all += part }
            return all
        }
        #expect(Set(results).count == 1 && results.count == 2000 && results[0] != 0)
    }
}
