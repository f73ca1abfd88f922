import BPFCore
import BPFObject
import BPFVM
import TCRuntime
import Testing

/// Loads through BTF pointers in hand-written tc programs, on both executors: the kernel
/// context's fields and a pointer read from it, probe loads that read 0 where nothing may be
/// read, and `bpf_rdonly_cast` to void over the stack. Offsets come from the target BTF.
@Suite struct BTFPointerPathTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0x45, count: 86)

    static func kfunc(_ k: EmbeddedKfunc) -> Instruction { Instruction(opcode: 0x85, src: 2, imm: k.rawValue) }
    static func jeqReg(_ dst: UInt8, _ src: UInt8, _ offset: Int16) -> Instruction {
        Instruction(opcode: 0x1d, dst: dst, src: src, offset: offset)
    }

    struct Offsets {
        let skb: UInt32, len: Int16, dev: Int16, ifindex: Int16
    }

    static func offsets() throws -> Offsets {
        let types = try #require(KernelTypeTarget.load())
        let skb = try #require(types.structureID(named: "sk_buff"))
        let device = try #require(types.structureID(named: "net_device"))
        let len = try #require(types.member("len", of: skb)), dev = try #require(types.member("dev", of: skb))
        let ifindex = try #require(types.member("ifindex", of: device))
        return Offsets(skb: skb, len: Int16(len.bitOffset / 8), dev: Int16(dev.bitOffset / 8),
                       ifindex: Int16(ifindex.bitOffset / 8))
    }

    /// len << 16 | (skb->dev->ifindex == __sk_buff.ifindex).
    @Test(arguments: ExecutorKind.allCases)
    func theContextFieldsAndTheDeviceReadThroughTheCast(kind: ExecutorKind) throws {
        let o = try Self.offsets()
        let code = [Asm.movReg(6, 1), Self.kfunc(.castToKernelContext),
                    Asm.load(4, 7, 0, o.len), Asm.load(8, 8, 0, o.dev),
                    Asm.mov(9, 0), Asm.jeq(8, 0, 5),
                    Asm.load(4, 8, 8, o.ifindex), Asm.load(4, 2, 6, Int16(SKBField.ifindex)),
                    Self.jeqReg(8, 2, 1), Instruction(opcode: 0x05, offset: 1), Asm.mov(9, 1),
                    Asm.movReg(0, 7), Instruction(opcode: 0x67, dst: 0, imm: 16), Asm.addReg(0, 9), Asm.exit]
        let program = try TCProgram(instructions: code, executor: kind)
        #expect(program.program.isCompiled == (kind == .jit && ExecutorKind.jitAvailable))
        let result = try TCTestRun.run(program, packet: Self.packet)
        #expect(result.returnValue == UInt32(Self.packet.count) << 16 | 1)
    }

    /// A struct cast over an address nothing is mapped at reads 0, and the program goes on; a
    /// void cast over the stack reads what is there.
    @Test(arguments: ExecutorKind.allCases)
    func probeLoadsReadZeroWhereTheRunMayNotRead(kind: ExecutorKind) throws {
        let o = try Self.offsets()
        let code = [Asm.mov(1, 0x10), Asm.mov(2, Int32(bitPattern: o.skb)), Self.kfunc(.rdonlyCast),
                    Asm.load(4, 6, 0, o.len),
                    Asm.mov(3, 0x5a5), Asm.store(8, 10, -8, 3),
                    Asm.movReg(1, 10), Asm.add(1, -8), Asm.mov(2, 0), Self.kfunc(.rdonlyCast),
                    Asm.load(4, 7, 0, 0), Asm.load(8, 8, 0, 4096),
                    Asm.movReg(0, 6), Asm.addReg(0, 7), Asm.addReg(0, 8), Asm.exit]
        let program = try TCProgram(instructions: code, executor: kind)
        #expect(try TCTestRun.run(program, packet: Self.packet).returnValue == 0x5a5)
    }

    /// A store through either cast is refused at load, as the kernel refuses it.
    @Test func storesAreRefused() throws {
        let o = try Self.offsets()
        let kernel = [Self.kfunc(.castToKernelContext), Asm.storeImm(4, 0, o.len, 1), Asm.mov(0, 0), Asm.exit]
        #expect(refusal(kernel)?.reason == "only read is supported")
        let void = [Asm.movReg(1, 10), Asm.add(1, -8), Asm.mov(2, 0), Self.kfunc(.rdonlyCast),
                    Asm.storeImm(4, 0, 0, 1), Asm.mov(0, 0), Asm.exit]
        #expect(refusal(void)?.reason == "R0 cannot write into rdonly_untrusted_mem")
        let unknown = [Asm.mov(1, 0), Asm.mov(2, 0x7fff_fff0), Self.kfunc(.rdonlyCast), Asm.mov(0, 0), Asm.exit]
        #expect(refusal(unknown)?.reason == "Unknown type ID 2147483632 passed to kfunc bpf_rdonly_cast")
    }

    func refusal(_ code: [Instruction]) -> VMError? {
        do { _ = try TCProgram(instructions: code) } catch { return error }
        return nil
    }
}
