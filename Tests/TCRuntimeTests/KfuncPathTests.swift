import BPFCore
import BPFVM
import TCRuntime
import Testing

/// Kfunc calls in hand-written tc programs, on both executors: an open-coded loop the path
/// analysis must accept (its counter takes a new value each iteration) and runs to the kernel's
/// count, and the refusals the analysis makes on a path.
@Suite struct KfuncPathTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5] + [UInt8](repeating: 0, count: 50)

    static func kfunc(_ k: EmbeddedKfunc) -> Instruction { Instruction(opcode: 0x85, src: 2, imm: k.rawValue) }
    static func iterator(_ call: EmbeddedKfunc) -> [Instruction] { [Asm.movReg(1, 10), Asm.add(1, -8), kfunc(call)] }

    /// for (v in [0, n)) { count++; sum += v }: returns count * 1000 + sum.
    static func loop(to n: Int32) -> [Instruction] {
        [Asm.movReg(1, 10), Asm.add(1, -8), Asm.mov(2, 0), Asm.mov(3, n), kfunc(.iterNumNew),
         Asm.mov(7, 0), Asm.mov(8, 0)]
            + iterator(.iterNumNext)                              // 7-9
            + [Asm.jeq(0, 0, 4),                                  // 10: done
               Asm.load(4, 2, 0, 0), Asm.addReg(8, 2), Asm.add(7, 1),
               Instruction(opcode: 0x05, offset: -8)]             // 14: goto 7 (next)
            + iterator(.iterNumDestroy)                           // 15-17
            + [Asm.movReg(0, 7), Asm.mul(0, 1000), Asm.addReg(0, 8), Asm.exit]
    }

    @Test(arguments: ExecutorKind.allCases)
    func anOpenCodedLoopIsAcceptedAndRunsToTheEnd(kind: ExecutorKind) throws {
        for n: Int32 in [0, 1, 10, 300] {
            let program = try TCProgram(instructions: Self.loop(to: n), executor: kind)
            let sum = Int64(n) * Int64(n - 1) / 2
            #expect(try TCTestRun.run(program, packet: Self.packet).returnValue == UInt64(Int64(n) * 1000 + max(sum, 0)))
        }
    }

    @Test func theNextValueMustBeCheckedForNull() {
        var code = Self.loop(to: 3)
        code[10] = Asm.mov(9, 0)  // no NULL check before the load
        #expect(throws: VMError.self) { _ = try TCProgram(instructions: code) }
    }

    @Test func theRCURegionIsFollowed() {
        let unmatched = [Self.kfunc(.rcuReadUnlock), Asm.mov(0, 0), Asm.exit]
        #expect(refusal(unmatched)?.reason == "unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)")
        let held = [Self.kfunc(.rcuReadLock), Asm.mov(0, 0), Asm.exit]
        #expect(refusal(held)?.reason.contains("bpf_rcu_read_lock-ed region") == true)
        let balanced = [Self.kfunc(.rcuReadLock), Self.kfunc(.rcuReadUnlock), Asm.mov(0, 0), Asm.exit]
        #expect(refusal(balanced) == nil)
        // A void kfunc leaves r0 unreadable, as the kernel's.
        #expect(refusal([Self.kfunc(.rcuReadLock), Self.kfunc(.rcuReadUnlock), Asm.exit])?.reason == "R0 !read_ok")
    }

    func refusal(_ code: [Instruction]) -> VMError? {
        do { _ = try TCProgram(instructions: code) } catch { return error }
        return nil
    }
}
