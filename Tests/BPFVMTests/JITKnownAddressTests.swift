import BPFCore
import BPFVM
import Testing

/// Accesses through an address the JIT knows at load (`KnownConstants`: a global variable's
/// `lddw`, moved and offset by constants) are emitted without a check when they lie inside the
/// program's region. Whatever lies outside, or writes a read-only region, or is reached on a
/// path the compiler did not follow (a jump target), must still be checked and fault exactly
/// where the interpreter faults.
@Suite struct JITKnownAddressTests {
    /// A 16-byte global whose byte k holds k.
    final class Global: @unchecked Sendable {
        let bytes: UnsafeMutableRawBufferPointer
        init() {
            bytes = .allocate(byteCount: 32, alignment: 32)
            for k in 0..<32 { bytes[k] = UInt8(k) }
        }
        deinit { bytes.deallocate() }
        var base: UInt64 { UInt64(UInt(bitPattern: bytes.baseAddress)) }
        static let size = 16
    }

    struct Resolver: PseudoImmediateResolver {
        let global: Global
        let writable: Bool
        func resolve(_ immediate: PseudoImmediate) -> ResolvedImmediate? {
            guard case .mapValue(0, let offset) = immediate, offset < UInt32(Global.size) else { return nil }
            let region = MemoryRegion(UnsafeMutableRawBufferPointer(rebasing: global.bytes[0..<Global.size]), writable: writable)
            return ResolvedImmediate(value: global.base + UInt64(offset), region: region)
        }
    }

    let global = Global()

    /// Runs `program` on the interpreter and the JIT (each on the global as it was) and expects
    /// the same result or fault; returns the JIT's.
    func run(_ program: [Instruction], writable: Bool = true) throws -> Result<UInt64, VMFault> {
        var options = VerifierOptions()
        options.resolver = Resolver(global: global, writable: writable)
        options.executor = ExecutorKind.jitAvailable ? .jit : .interpreter
        let loaded = try VMProgram(instructions: program, options: options)
        let before = Array(global.bytes)
        let interpreted = MemorySafetyTests.run(loaded, on: .interpreter, context: 16, packet: nil, environment: RunEnvironment())
        let afterInterpreter = Array(global.bytes)
        guard ExecutorKind.jitAvailable else { return interpreted.result }
        #expect(loaded.isCompiled, "the JIT declined the program")
        for k in 0..<32 { global.bytes[k] = before[k] }
        let jitted = MemorySafetyTests.run(loaded, on: .jit, context: 16, packet: nil, environment: RunEnvironment())
        #expect(jitted.comparable == interpreted.comparable, "JIT \(jitted.result), interpreter \(interpreted.result)")
        #expect(Array(global.bytes) == afterInterpreter, "the engines left the global differently")
        return jitted.result
    }

    func fault(_ result: Result<UInt64, VMFault>) -> VMFault? {
        if case .failure(let f) = result { return f }
        return nil
    }

    static func ldxw(_ dst: UInt8, _ src: UInt8, _ off: Int16) -> Instruction {
        Instruction(opcode: 0x61, dst: dst, src: src, offset: off)
    }

    static func stw(_ dst: UInt8, _ off: Int16, _ imm: Int32) -> Instruction {
        Instruction(opcode: 0x62, dst: dst, offset: off, imm: imm)
    }

    @Test func loadsAndStoresInsideTheGlobal() throws {
        // r1 = &global + 4; r1 += 4 (byte 8); store 0x55 at byte 12, then read bytes 8 and 12.
        let program = Asm.lddw(1, UInt64(4) << 32, source: 2) + [
            Asm.add(1, 4), Self.stw(1, 4, 0x55), Self.ldxw(0, 1, 0), Asm.ldxb(2, 1, 4), Asm.addReg(0, 2), Asm.exit,
        ]
        #expect(try run(program).get() == 0x0b0a_0908 + 0x55)
        #expect(global.bytes[12] == 0x55)
    }

    @Test func anAccessCrossingTheEndFaults() throws {
        // Bytes 14-17: the last two are no part of the global, though they exist.
        let program = Asm.lddw(1, 0, source: 2) + [Self.ldxw(0, 1, 14), Asm.exit]
        #expect(fault(try run(program))?.instruction == 2)
        let below = Asm.lddw(1, 0, source: 2) + [Asm.add(1, -1), Asm.ldxb(0, 1, 0), Asm.exit]
        #expect(fault(try run(below))?.instruction == 3)
    }

    @Test func aReadOnlyGlobalRefusesStores() throws {
        let program = Asm.lddw(1, 0, source: 2) + [Self.stw(1, 0, 1), Asm.mov(0, 0), Asm.exit]
        #expect(fault(try run(program, writable: false))?.instruction == 2)
        #expect(global.bytes[0] == 0)
        let read = Asm.lddw(1, 0, source: 2) + [Asm.ldxb(0, 1, 15), Asm.exit]
        #expect(try run(read, writable: false).get() == 15)
    }

    @Test func whatAJumpTargetJoinsIsForgotten() throws {
        // r3 is &global + 16 on the taken jump and &global on the fall-through the compiler
        // follows first: the load at the target must be checked (the run takes the jump).
        let program = [Asm.ldxb(6, 1, 0)] + Asm.lddw(2, 0, source: 2) + [
            Asm.movReg(3, 2), Asm.add(3, 16), Asm.jne(6, 0, 1), Asm.movReg(3, 2), Self.ldxw(0, 3, 0), Asm.exit,
        ]
        #expect(fault(try run(program))?.instruction == 7)
    }

    @Test func anOperationItDoesNotFollowForgetsTheRegister() throws {
        // r1 = &global | 16 (the global is 32-byte aligned: &global + 16), by an `or` the
        // compiler does not follow: the load through r1 is checked, and faults.
        let program = Asm.lddw(1, 0, source: 2) + [Instruction(opcode: 0x47, dst: 1, imm: 16), Asm.ldxb(0, 1, 0), Asm.exit]
        #expect(fault(try run(program))?.instruction == 3)
    }
}
