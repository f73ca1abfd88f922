import BPFCore
import BPFVM
import TCRuntime
import Testing

/// `__sk_buff` loads the JIT and the interpreter read straight from the context block
/// (`ContextDirectReads`): the same values as a checked load, on both engines, and through
/// any base other than the context itself an ordinary checked load.
@Suite struct ContextDirectReadTests {
    static let engines: [ExecutorKind] = [.interpreter, .jit]

    /// r0 of one run of `instructions` on an skb with `metadata` and `packet`, with the engine
    /// `kind`, and the skb after it.
    static func run(_ instructions: [Instruction], _ kind: ExecutorKind, metadata: SKBMetadata = SKBMetadata(),
                    packet: [UInt8] = [UInt8](repeating: 0, count: 64)) throws -> (r0: UInt64, skb: SKBuff) {
        let program = try TCProgram(instructions: instructions, executor: kind)
        let skb = SKBuff(packet: packet, metadata: metadata)
        let outcome = try TCProgramRunner(executor: kind).run(program, on: skb)
        return (outcome.returnValue, skb)
    }

    @Test(arguments: engines)
    func fieldsReadAsTheSkbHoldsThem(_ kind: ExecutorKind) throws {
        var metadata = SKBMetadata()
        metadata.mark = 0x1111
        metadata.priority = 0x2200
        metadata.hash = 0x30000
        metadata.ifindex = 0x400000
        metadata.cb[4] = 0x5000000
        metadata.tstamp = 0x60_0000_0000
        let (r0, _) = try Self.run([
            Asm.load(4, 0, 1, Int16(SKBField.mark)),
            Asm.load(4, 2, 1, Int16(SKBField.priority)), Asm.addReg(0, 2),
            Asm.load(4, 2, 1, Int16(SKBField.hash)), Asm.addReg(0, 2),
            Asm.load(4, 2, 1, Int16(SKBField.ifindex)), Asm.addReg(0, 2),
            Asm.load(4, 2, 1, Int16(SKBField.cb + 16)), Asm.addReg(0, 2),
            Asm.load(8, 2, 1, Int16(SKBField.tstamp)), Asm.addReg(0, 2),
            Asm.load(4, 2, 1, Int16(SKBField.len)), Asm.addReg(0, 2),
            Asm.exit,
        ], kind, metadata: metadata)
        #expect(r0 == 0x60_0543_3311 + 64)
    }

    /// A stored field reads back as stored, and reaches the skb.
    @Test(arguments: engines)
    func aStoredFieldReadsBack(_ kind: ExecutorKind) throws {
        let (r0, skb) = try Self.run([
            Asm.mov(2, 77), Asm.store(4, 1, Int16(SKBField.mark), 2),
            Asm.load(4, 0, 1, Int16(SKBField.mark)), Asm.exit,
        ], kind)
        #expect(r0 == 77)
        #expect(skb.metadata.mark == 77)
    }

    /// The same offset through the stack is a stack load, not the context's field.
    @Test(arguments: engines)
    func anotherBaseReadsItsOwnMemory(_ kind: ExecutorKind) throws {
        var metadata = SKBMetadata()
        metadata.mark = 0xdead
        let (r0, _) = try Self.run([
            Asm.mov(2, 0x5151), Asm.store(4, 10, -16 + Int16(SKBField.mark), 2),
            Asm.movReg(3, 10), Asm.add(3, -16),
            Asm.load(4, 0, 3, Int16(SKBField.mark)), Asm.exit,
        ], kind, metadata: metadata)
        #expect(r0 == 0x5151)
    }

    /// Through a base the verifier proved nothing of (no context rules: no path analysis), a
    /// load at a field's offset is checked as any other: through the stack top it faults on
    /// both engines rather than read past the stack; through the context it reads the field.
    @Test(arguments: engines)
    func anUnprovedBaseIsChecked(_ kind: ExecutorKind) throws {
        var options = VerifierOptions()
        options.contextDirectReads = { offset, size in offset == 8 && size == 4 }
        options.executor = kind
        // r0 = sub(r6 ? r10 : r1), where sub returns *(u32 *)(r1 + 8).
        func program(throughStack: Bool) throws -> VMProgram {
            try VMProgram(instructions: [
                Asm.mov(6, throughStack ? 1 : 0), Asm.jeq(6, 0, 1), Asm.movReg(1, 10),
                Asm.call(local: 1), Asm.exit,
                Asm.load(4, 0, 1, 8), Asm.exit,
            ], options: options)
        }
        let context = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { context.deallocate() }
        context.initializeMemory(as: UInt8.self, repeating: 0)
        context.storeBytes(of: UInt32(0xc0ffee), toByteOffset: 8, as: UInt32.self)
        let environment = RunEnvironment(guardsContext: true)
        let viaContext = try JITExecutor.run(try program(throughStack: false), context: context, environment: environment)
        #expect(viaContext == 0xc0ffee)
        let stackProgram = try program(throughStack: true)
        #expect(throws: VMFault.self) { try JITExecutor.run(stackProgram, context: context, environment: environment) }
    }
}

extension Asm {
    /// A bpf-to-bpf call to the instruction `offset` slots after the next.
    static func call(local offset: Int32) -> Instruction { Instruction(opcode: 0x85, src: 1, imm: offset) }
}
