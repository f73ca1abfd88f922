import BPFCore
import BPFVM
import TCRuntime
import Testing

/// `__sk_buff` stores the JIT and the interpreter make straight into the context block
/// (`ContextDirectWriteFields`): every writable field, every size the rules allow, the values
/// where the kernel's rules bite (16-bit fields, queue_mapping from 0xffff on), on both engines,
/// checked against what the kernel keeps: the value read back and the skb after the run.
@Suite struct ContextDirectWriteTests {
    static let engines: [ExecutorKind] = [.interpreter, .jit]

    /// The skb before each store: every writable field holds something of its own.
    static var original: SKBMetadata {
        var m = SKBMetadata()
        m.mark = 0x1111_1111
        m.queueMapping = 3
        m.priority = 0x2222
        m.tcIndex = 0x33
        m.tcClassid = 0x44
        m.cb = ControlBlock([0x5050_5050, 0x6161_6161, 0x7272_7272, 0x8383_8383, 0x9494_9494])
        m.tstamp = 0x0102_0304_0506_0708
        return m
    }

    /// The writable fields as (offset, size), cb at every size the rules allow.
    static let stores: [(offset: Int, size: Int)] = [
        (SKBField.mark, 4), (SKBField.priority, 4), (SKBField.tcIndex, 4), (SKBField.tcClassid, 4),
        (SKBField.queueMapping, 4), (SKBField.tstamp, 8),
        (SKBField.cb, 4), (SKBField.cb + 16, 4), (SKBField.cb + 1, 1), (SKBField.cb + 6, 2), (SKBField.cb + 8, 8),
    ]
    static let values: [UInt64] = [0, 5, 0xfffe, 0xffff, 0x1_2345, 0xffff_ffff, 0x8765_4321_0fed_cba9]

    /// The skb's writable fields as one array of words, to compare whole.
    static func words(_ m: SKBMetadata) -> [UInt64] {
        [UInt64(m.mark), UInt64(m.priority), UInt64(m.tcIndex), UInt64(m.tcClassid), UInt64(m.queueMapping), m.tstamp]
            + (0..<5).map { UInt64(m.cb[$0]) }
    }

    /// What the kernel keeps of a store of `value` (its low `size` bytes) at `offset`.
    static func expected(offset: Int, size: Int, value: UInt64) -> SKBMetadata {
        var m = original
        let word = UInt32(truncatingIfNeeded: value)
        switch offset {
        case SKBField.mark: m.mark = word
        case SKBField.priority: m.priority = word
        case SKBField.tcIndex: m.tcIndex = UInt16(truncatingIfNeeded: word)
        case SKBField.tcClassid: m.tcClassid = UInt16(truncatingIfNeeded: word)
        case SKBField.queueMapping: if word < 0xffff { m.queueMapping = UInt16(word) }
        case SKBField.tstamp: m.tstamp = value
        default:
            var bytes = (0..<5).flatMap { i in withUnsafeBytes(of: m.cb[i].littleEndian, Array.init) }
            for k in 0..<size { bytes[offset - SKBField.cb + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
            m.cb = ControlBlock((0..<5).map { i in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[4 * i + $1]) << (8 * UInt32($1)) } })
        }
        return m
    }

    /// Each store, then the field read back: r0 is what the skb kept, and so is the skb.
    @Test(arguments: engines)
    func everyWritableFieldKeepsWhatTheKernelKeeps(_ kind: ExecutorKind) throws {
        for (offset, size) in Self.stores {
            for value in Self.values {
                let program = try TCProgram(instructions: Asm.lddw(2, Int32(truncatingIfNeeded: value), high: Int32(truncatingIfNeeded: value >> 32)) + [
                    Asm.store(size, 1, Int16(offset), 2),
                    Asm.load(size, 0, 1, Int16(offset)),
                    Asm.exit,
                ], executor: kind)
                let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64), metadata: Self.original)
                let r0 = try TCProgramRunner(executor: kind).run(program, on: skb).returnValue
                let kept = Self.expected(offset: offset, size: size, value: value)
                #expect(Self.words(skb.metadata) == Self.words(kept), "offset \(offset) size \(size) value \(value)")
                #expect(r0 == Self.field(kept, offset: offset, size: size), "offset \(offset) size \(size) value \(value)")
            }
        }
    }

    /// The field as a load of `size` bytes at `offset` reads it from `m`.
    static func field(_ m: SKBMetadata, offset: Int, size: Int) -> UInt64 {
        switch offset {
        case SKBField.mark: UInt64(m.mark)
        case SKBField.priority: UInt64(m.priority)
        case SKBField.tcIndex: UInt64(m.tcIndex)
        case SKBField.tcClassid: UInt64(m.tcClassid)
        case SKBField.queueMapping: UInt64(m.queueMapping)
        case SKBField.tstamp: m.tstamp
        default:
            (0..<size).reduce(UInt64(0)) { sum, k in
                let at = offset - SKBField.cb + k
                return sum | UInt64(UInt8(truncatingIfNeeded: m.cb[at / 4] >> (8 * UInt32(at % 4)))) << (8 * UInt64(k))
            }
        }
    }

    /// Two stores with nothing between them: a queue mapping of 0xffff, which the kernel
    /// ignores, does not undo the 5 stored before it; a second tc_index store wins whole.
    @Test(arguments: engines)
    func aLaterIgnoredStoreKeepsTheEarlierOne(_ kind: ExecutorKind) throws {
        let program = try TCProgram(instructions: [
            Asm.mov(2, 5), Asm.store(4, 1, Int16(SKBField.queueMapping), 2),
            Asm.mov(2, 0xffff), Asm.store(4, 1, Int16(SKBField.queueMapping), 2),
            Asm.mov(2, 0x1_0007), Asm.store(4, 1, Int16(SKBField.tcIndex), 2),
            Asm.mov(2, 0x2_0009), Asm.store(4, 1, Int16(SKBField.tcIndex), 2),
            Asm.mov(0, 0), Asm.exit,
        ], executor: kind)
        let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64), metadata: Self.original)
        _ = try TCProgramRunner(executor: kind).run(program, on: skb)
        #expect(skb.metadata.queueMapping == 5)
        #expect(skb.metadata.tcIndex == 9)
    }

    /// Immediate stores stay checked and land unconverted; the loads of those fields then stay
    /// guarded too, and still read back what the kernel keeps: a tc_index of 0x12345 reads
    /// 0x2345, a queue mapping of 0xffff leaves the one before it, its upper half reads 0.
    @Test(arguments: engines)
    func immediateStoresReadBackWhatTheKernelKeeps(_ kind: ExecutorKind) throws {
        let program = try TCProgram(instructions: [
            Asm.storeImm(4, 1, Int16(SKBField.tcIndex), 0x1_2345),
            Asm.storeImm(4, 1, Int16(SKBField.queueMapping), 0xffff),
            Asm.load(4, 0, 1, Int16(SKBField.tcIndex)),
            Asm.load(2, 2, 1, Int16(SKBField.tcIndex + 2)), Asm.addReg(0, 2),
            Asm.load(4, 2, 1, Int16(SKBField.queueMapping)), Asm.mul(2, 0x10_0000), Asm.addReg(0, 2),
            Asm.exit,
        ], executor: kind)
        let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64), metadata: Self.original)
        let r0 = try TCProgramRunner(executor: kind).run(program, on: skb).returnValue
        #expect(r0 == 0x2345 + 3 * 0x10_0000)
        #expect(skb.metadata.tcIndex == 0x2345)
        #expect(skb.metadata.queueMapping == 3)
    }

    /// Register stores, read back directly: the upper half of a 16-bit field reads 0.
    @Test(arguments: engines)
    func theUpperHalfOfASixteenBitFieldReadsZero(_ kind: ExecutorKind) throws {
        let program = try TCProgram(instructions: [
            Asm.mov(2, 0x7_8899), Asm.store(4, 1, Int16(SKBField.tcClassid), 2),
            Asm.load(2, 0, 1, Int16(SKBField.tcClassid + 2)),
            Asm.load(2, 3, 1, Int16(SKBField.tcClassid)), Asm.addReg(0, 3),
            Asm.exit,
        ], executor: kind)
        let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64), metadata: Self.original)
        let r0 = try TCProgramRunner(executor: kind).run(program, on: skb).returnValue
        #expect(r0 == 0x8899)
        #expect(skb.metadata.tcClassid == 0x8899)
    }

    /// A store at a field's offset through the stack writes the stack, never the skb.
    @Test(arguments: engines)
    func anotherBaseWritesItsOwnMemory(_ kind: ExecutorKind) throws {
        let program = try TCProgram(instructions: [
            Asm.movReg(3, 10), Asm.add(3, -64),
            Asm.mov(2, 0x5151), Asm.store(4, 3, Int16(SKBField.mark), 2),
            Asm.load(4, 0, 10, -64 + Int16(SKBField.mark)), Asm.exit,
        ], executor: kind)
        let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64), metadata: Self.original)
        let r0 = try TCProgramRunner(executor: kind).run(program, on: skb).returnValue
        #expect(r0 == 0x5151)
        #expect(Self.words(skb.metadata) == Self.words(Self.original))
    }

    /// Every repeat of a test-run starts from what the last one left in the skb, and a run
    /// with no store leaves the skb as it was.
    @Test(arguments: engines)
    func repeatsTakeEachRunsStoresIn(_ kind: ExecutorKind) throws {
        // mark += 1 each run.
        let program = try TCProgram(instructions: [
            Asm.load(4, 2, 1, Int16(SKBField.mark)), Asm.add(2, 1), Asm.store(4, 1, Int16(SKBField.mark), 2),
            Asm.mov(0, 0), Asm.exit,
        ], executor: kind)
        let skb = SKBuff(packet: [UInt8](repeating: 0, count: 64), metadata: Self.original)
        _ = try TCProgramRunner(executor: kind).run(program, on: skb, repeat: 10)
        #expect(skb.metadata.mark == Self.original.mark + 10)
    }
}
