import BPFCore
import BPFObject
import BPFVM
import TCRuntime
import Testing

/// bpf_snprintf_btf's object reads from a program: the text goes into the program's buffer cut
/// to its size; an object at an address the kernel does not take as its own is ERANGE; one that
/// is not wholly memory the program can read stops the program instead of reading past it.
@Suite struct SnprintfBTFHelperTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0, count: 50)

    /// A zeroed 32-byte object at fp-96, a btf_ptr at fp-16 naming `object` as `struct iphdr`,
    /// an 8-byte text at fp-24 given `capacity` bytes; then `after` (r0 is the helper's answer).
    static func program(object: [Instruction], capacity: Int32, flags: Int32, after: [Instruction] = []) throws -> [Instruction] {
        let types = try #require(KernelTypeTarget.load())
        let iphdr = try #require(types.structureID(named: "iphdr"))
        return [-96, -88, -80, -72, -24].map { Asm.storeImm(8, 10, Int16($0), 0) }
            + object + [Asm.store(8, 10, -16, 1), Asm.storeImm(4, 10, -8, Int32(bitPattern: iphdr)), Asm.storeImm(4, 10, -4, 0),
                        Asm.movReg(1, 10), Asm.add(1, -24), Asm.mov(2, capacity), Asm.movReg(3, 10), Asm.add(3, -16),
                        Asm.mov(4, 16), Asm.mov(5, flags), Asm.call(149)]
            + after + [Asm.exit]
    }

    static func run(_ instructions: [Instruction]) throws -> Int32 {
        let program = try TCProgram(instructions: instructions)
        return Int32(bitPattern: try TCTestRun.run(program, packet: packet).returnValue)
    }

    static func stops(_ instructions: [Instruction]) throws -> Bool {
        let program = try TCProgram(instructions: instructions)
        do {
            _ = try TCTestRun.run(program, packet: packet)
            return false
        } catch {
            return true
        }
    }

    static let onTheStack = [Asm.movReg(1, 10), Asm.add(1, -96)]

    @Test func theTextIsCutAndTheWholeLengthReturned() throws {
        // A zero iphdr, compact: "(struct iphdr){}", 16 bytes.
        #expect(try Self.run(Self.program(object: Self.onTheStack, capacity: 8, flags: 1)) == 16)
        let text = try Self.run(Self.program(object: Self.onTheStack, capacity: 4, flags: 1, after: [Asm.load(4, 0, 10, -24)]))
        #expect(text == 0x0074_7328)  // "(st" and its NUL
    }

    @Test func objectsOutsideTheProgramsMemory() throws {
        #expect(try Self.run(Self.program(object: [Asm.mov(1, 0)], capacity: 8, flags: 0)) == -34)
        #expect(try Self.run(Self.program(object: [Asm.mov(1, 0x1000)], capacity: 8, flags: 0)) == -34)
        // 20 bytes from fp-8 cross the stack's top; a kernel address names nothing here.
        #expect(try Self.stops(Self.program(object: [Asm.movReg(1, 10), Asm.add(1, -8)], capacity: 8, flags: 0)))
        #expect(try Self.stops(Self.program(object: Asm.lddw(1, 0, high: Int32(bitPattern: 0xffff_8880)), capacity: 8, flags: 0)))
    }

    @Test func refusalsBeforeReading() throws {
        #expect(try Self.run(Self.program(object: [Asm.mov(1, 0)], capacity: 8, flags: 16)) == -22)
        let noType = try Self.program(object: Self.onTheStack, capacity: 8, flags: 0).map { instruction in
            instruction.opcode == 0x62 && instruction.offset == -8 ? Asm.storeImm(4, 10, -8, 0x7fff_fff0) : instruction
        }
        #expect(try Self.run(noType) == -2)
    }
}
