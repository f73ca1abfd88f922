import BPFCore
import BPFMaps
import BPFVM
import TCRuntime
import Testing

/// What `HelperHostileRegisterTests` found: state the program passes by pointer (a dynptr, an
/// iterator, conntrack opts) at an address the kernel's verifier would never allow (the packet
/// at an odd offset) or forged on the stack. The kernel refuses such programs at load, so no
/// kernel answer exists; here, loaded with the run-time checks only, each call must end
/// cleanly, not trap the process (each of these trapped before its fix).
@Suite struct HostileHelperStateTests {
    static let unanalysed = HelperHostileRegisterTests.unanalysed
    static let packet = HelperHostileRegisterTests.packet
    static let executors = HelperHostileRegisterTests.executors

    static func kfunc(_ kfunc: EmbeddedKfunc) -> Instruction { Asm.call(KfuncTable.helperID(kfunc)) }

    /// The harness's prefix (r6 the context, r7 the packet), then `body`, then exit.
    static func run(_ body: [Instruction], _ executor: ExecutorKind) throws -> TCTestRun.Result {
        var code = HelperHostileRegisterTests.program(0, [])
        code.removeLast(3)  // the call, r8 = r0, exit
        let program = try TCProgram(instructions: code + body + [Asm.exit], type: unanalysed, executor: executor)
        return try TCTestRun.run(program, packet: packet, runner: TCProgramRunner(executor: executor))
    }

    static func returned(_ body: [Instruction], _ executor: ExecutorKind) throws -> Int32 {
        Int32(bitPattern: try run(body, executor).returnValue)
    }

    /// A dynptr read at pkt+14 (not 8-byte aligned): ringbuf_submit_dynptr trapped on the load
    /// of its 8-byte data field. Now the dynptr is read, found to be no ring buffer's, and the
    /// program stops with a fault; dynptr_read finds a NULL dynptr there (the packet's zeroes)
    /// and says EINVAL, as the kernel's bpf_dynptr_read does for a NULL dynptr.
    @Test(arguments: executors)
    func dynptrAtAnOddAddress(_ executor: ExecutorKind) throws {
        let submit = [Asm.movReg(1, 7), Asm.add(1, 14), Asm.mov(2, 0), Asm.call(199)]
        #expect(throws: TCTestRun.Failure.self) { try Self.run(submit, executor) }
        let read = [Asm.movReg(1, 10), Asm.add(1, -64), Asm.mov(2, 8), Asm.movReg(3, 7), Asm.add(3, 1),
                    Asm.mov(4, 0), Asm.mov(5, 0), Asm.call(201)]
        #expect(try Self.returned(read, executor) == -22)
    }

    /// bpf_iter_num_next on an iterator forged at {INT_MAX, 5}: the kernel's wrapping check
    /// (cur + 1 >= end, in s64 after an int add) lets it step, and the step `current + 1`
    /// trapped. Now it wraps to INT_MIN and returns the iterator, as the kernel's arithmetic
    /// does; at an odd address (pkt+1, the packet's zeroes: an empty iterator) it ends.
    @Test(arguments: executors)
    func numberIteratorForgedAtTheEdge(_ executor: ExecutorKind) throws {
        let forged = [Asm.storeImm(4, 10, -8, Int32.max), Asm.storeImm(4, 10, -4, 5),
                      Asm.movReg(1, 10), Asm.add(1, -8), Self.kfunc(.iterNumNext),
                      Asm.movReg(6, 0), Asm.load(4, 0, 10, -8), Asm.jeq(6, 0, 1), Asm.exit, Asm.mov(0, -1)]
        #expect(try Self.run(forged, executor).returnValue == 0x8000_0000)
        let odd = [Asm.movReg(1, 7), Asm.add(1, 1), Self.kfunc(.iterNumNext)]
        #expect(try Self.returned(odd, executor) == 0)
    }

    /// bpf_iter_bits_next on a forged iterator: a last bit of -5 made a negative shift count
    /// (trapped), and a count of 4096 over a 2-word copy read past the copy (trapped in a debug
    /// build, read the heap in a release one). Both now end the iteration (NULL).
    @Test(arguments: executors)
    func bitIteratorForged(_ executor: ExecutorKind) throws {
        let negativeBit = Asm.lddw(1, 0xff) + [
            Asm.store(8, 10, -16, 1), Asm.storeImm(4, 10, -8, 64), Asm.storeImm(4, 10, -4, -5),
            Asm.movReg(1, 10), Asm.add(1, -16), Self.kfunc(.iterBitsNext),
        ]
        #expect(try Self.returned(negativeBit, executor) == 0)
        // Two zero words copied by new(), the count then forged past them, then next().
        let pastTheCopy = [
            Asm.storeImm(8, 10, -48, 0), Asm.storeImm(8, 10, -40, 0),
            Asm.movReg(1, 10), Asm.add(1, -16), Asm.movReg(2, 10), Asm.add(2, -48), Asm.mov(3, 2), Self.kfunc(.iterBitsNew),
            Asm.movReg(8, 0),
            Asm.storeImm(4, 10, -8, 4096),
            Asm.movReg(1, 10), Asm.add(1, -16), Self.kfunc(.iterBitsNext), Asm.movReg(9, 0),
            Asm.movReg(1, 10), Asm.add(1, -16), Self.kfunc(.iterBitsDestroy),
            // r0 = new's result (0) + next's (NULL): anything else is a failure.
            Asm.movReg(0, 8), Asm.addReg(0, 9),
        ]
        #expect(try Self.returned(pastTheCopy, executor) == 0)
    }

    /// The same forged 2-word iterator with a bit set in the second word and a count inside the
    /// copy still finds it: the bound only cuts what lies past the copy.
    @Test(arguments: executors)
    func bitIteratorBoundKeepsRealBits(_ executor: ExecutorKind) throws {
        let code = [
            Asm.storeImm(8, 10, -48, 0), Asm.storeImm(8, 10, -40, 1 << 3),
            Asm.movReg(1, 10), Asm.add(1, -16), Asm.movReg(2, 10), Asm.add(2, -48), Asm.mov(3, 2), Self.kfunc(.iterBitsNew),
            Asm.storeImm(4, 10, -8, 4096),
            Asm.movReg(1, 10), Asm.add(1, -16), Self.kfunc(.iterBitsNext),
            Asm.mov(8, -1), Asm.jeq(0, 0, 1), Asm.load(4, 8, 0, 0),
            Asm.movReg(1, 10), Asm.add(1, -16), Self.kfunc(.iterBitsDestroy),
            Asm.movReg(0, 8),
        ]
        #expect(try Self.returned(code, executor) == 67)
    }

    /// bpf_skb_ct_lookup with its opts at pkt+1: the zone's 2-byte load at an odd address
    /// trapped. Now the opts are read: byte 13 (the packet's 0x45) is a reserved byte, so
    /// EINVAL, written to opts->error (pkt+5) and NULL returned, as the kernel answers
    /// nonzero reserved bytes.
    @Test(arguments: executors)
    func conntrackOptionsAtAnOddAddress(_ executor: ExecutorKind) throws {
        let lookup = [Asm.movReg(1, 6), Asm.movReg(2, 7), Asm.add(2, 26), Asm.mov(3, 12),
                      Asm.movReg(4, 7), Asm.add(4, 1), Asm.mov(5, 16), Self.kfunc(.skbConntrackLookup)]
        let result = try Self.run(lookup, executor)
        #expect(result.returnValue == 0)
        #expect(Array(result.packet[5..<9]) == [0xea, 0xff, 0xff, 0xff])
    }

    /// The task and task-vma iterators' next calls read their state with an aligned load, so a
    /// forged iterator at pkt+1 trapped (found by the register sweep after they were merged).
    /// Read unaligned, the task iterator's zeroes mean "no next task" (NULL), and the vma
    /// iterator's mean "from address 0": the process's first area, or a fault without a target
    /// BTF to lay it out.
    @Test(arguments: executors)
    func taskIteratorsForgedAtAnOddAddress(_ executor: ExecutorKind) throws {
        let task = [Asm.movReg(1, 7), Asm.add(1, 1), Self.kfunc(.iterTaskNext)]
        #expect(try Self.returned(task, executor) == 0)
        let vma = [Asm.movReg(1, 7), Asm.add(1, 1), Self.kfunc(.iterTaskVMANext)]
        switch Result(catching: { try Self.run(vma, executor) }) {
        case .success(let result): #expect(result.returnValue != 0)
        case .failure(let error): #expect(error is TCTestRun.Failure)
        }
    }

    /// bpf_obj_drop of an object the run does not hold (here one the heap keeps for someone
    /// else) freed it under its holder; the bit iterator's destroy did the same with a forged
    /// copy address. Now the program stops and the object lives on.
    @Test(arguments: executors)
    func droppingAnObjectOfAnotherHolder(_ executor: ExecutorKind) throws {
        let heap = ObjectHeap.shared
        let object = try #require(heap.allocate(size: 16))
        let address = UInt64(UInt(bitPattern: object.baseAddress))
        defer { heap.free(address) }
        let low = Int32(truncatingIfNeeded: address), high = Int32(truncatingIfNeeded: address >> 32)
        let drop = Asm.lddw(1, low, high: high) + [Asm.mov(2, 0), Self.kfunc(.objectDrop)]
        #expect(throws: TCTestRun.Failure.self) { try Self.run(drop, executor) }
        #expect(heap.object(at: address) != nil)
        let destroy = [Asm.storeImm(4, 10, -8, 4096)] + Asm.lddw(2, low, high: high)
            + [Asm.store(8, 10, -16, 2), Asm.movReg(1, 10), Asm.add(1, -16), Self.kfunc(.iterBitsDestroy)]
        #expect(throws: TCTestRun.Failure.self) { try Self.run(destroy, executor) }
        #expect(heap.object(at: address) != nil)
    }
}
