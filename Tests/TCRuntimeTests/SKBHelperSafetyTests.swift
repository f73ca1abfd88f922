import BPFCore
import BPFVM
import TCRuntime
import Testing

/// Hostile arguments to the skb helpers: memory the program may not touch stops the program
/// (the kernel verifier refuses such programs), bad sizes and flags fail with the kernel's
/// errno, and no helper dereferences an address the program cannot reach.
@Suite struct SKBHelperSafetyTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0, count: 50)

    static func returned(_ instructions: [Instruction], type: ProgramType = .schedCLS) throws -> Int32 {
        let program = try TCProgram(instructions: instructions + [Asm.exit], type: type)
        return Int32(bitPattern: try TCTestRun.run(program, packet: packet).returnValue)
    }

    /// What the load refuses, or nil.
    static func refusal(_ instructions: [Instruction]) -> VMError? {
        do {
            _ = try TCProgram(instructions: instructions + [Asm.exit])
            return nil
        } catch {
            return error
        }
    }

    /// The run-time checks alone: a program type whose rules are not known here (KPROBE) is
    /// loaded with the structural checks only and the tc helpers. (XDP was used until it got
    /// the path analysis.)
    static let unanalysed = ProgramType(rawValue: 2)

    static func faults(_ instructions: [Instruction], type: ProgramType = .schedCLS) throws -> Bool {
        let program = try TCProgram(instructions: instructions + [Asm.exit], type: type)
        do {
            _ = try TCTestRun.run(program, packet: packet)
            return false
        } catch {
            return true
        }
    }

    /// A tunnel key read into memory outside the stack, or crossing its top, is refused at load
    /// as Linux 6.18 refuses it (a number for a pointer EACCES; past the frame's top EINVAL).
    @Test func tunnelKeyOutsideTheStack() throws {
        func refusal(_ body: [Instruction]) -> VMError? {
            do {
                _ = try TCProgram(instructions: body + [Asm.exit])
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal([Asm.mov(2, 0x1000), Asm.mov(3, 44), Asm.mov(4, 0), Asm.call(20)])
                == VMError(instruction: 3, "R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
                           errno: .EACCES))
        #expect(refusal([Asm.movReg(2, 10), Asm.add(2, -8), Asm.mov(3, 44), Asm.mov(4, 0), Asm.call(21)])
                == VMError(instruction: 4, "invalid read from stack R2 off=-8 size=44"))
        #expect(refusal([Asm.movReg(2, 10), Asm.add(2, -8), Asm.mov(3, 252), Asm.call(29)])
                == VMError(instruction: 3, "invalid write to stack R2 off=-8 size=252"))
    }

    /// Tunnel options: at most IP_TUNNEL_OPTS_MAX bytes (ENOMEM above), and only on a key the
    /// program set (EINVAL before).
    @Test func tunnelOptionLimits() throws {
        let setKey = [Asm.movReg(6, 1), Asm.movReg(2, 10), Asm.add(2, -48), Asm.mov(3, 44), Asm.mov(4, 0), Asm.call(21)]
        let setOptions = { (size: Int32) in
            [Asm.movReg(1, 6), Asm.movReg(2, 10), Asm.add(2, -304), Asm.mov(3, size), Asm.call(30)]
        }
        #expect(try Self.returned([Asm.movReg(6, 1)] + setOptions(8)) == -22)
        #expect(try Self.returned(setKey + setOptions(256)) == -12)
        #expect(try Self.returned(setKey + setOptions(252)) == 0)
    }

    /// for_each_map_elem on something that is not a map: refused at load, as Linux 6.18 refuses
    /// it; where no path analysis runs, it stops the program.
    @Test func iterationNeedsAMap() throws {
        let body = [Asm.mov(1, 12345), Asm.mov(2, 0), Asm.mov(3, 0), Asm.mov(4, 0), Asm.call(164)]
        #expect(Self.refusal(body) == VMError(instruction: 4, "R1 type=scalar expected=map_ptr", errno: .EACCES))
        #expect(try Self.faults(body, type: Self.unanalysed))
    }

    /// Relative loads: a buffer past the stack is refused at load (as Linux 6.18 refuses it, EINVAL);
    /// a bad header or offset clears and EFAULTs.
    @Test func relativeLoads() throws {
        #expect(throws: VMError(instruction: 5, "invalid write to stack R3 off=-4 size=16", errno: .EINVAL)) {
            _ = try TCProgram(instructions: [Asm.mov(2, 0), Asm.movReg(3, 10), Asm.add(3, -4), Asm.mov(4, 16),
                                             Asm.mov(5, 0), Asm.call(68), Asm.exit])
        }
        #expect(try Self.returned([Asm.mov(2, 0), Asm.movReg(3, 10), Asm.add(3, -16), Asm.mov(4, 16), Asm.mov(5, 7), Asm.call(68)]) == -14)
        #expect(try Self.returned([Asm.mov(2, 60), Asm.movReg(3, 10), Asm.add(3, -16), Asm.mov(4, 16), Asm.mov(5, 0), Asm.call(68)]) == -14)
    }

    /// A dynptr the program forged on its stack: refused at load, as Linux 6.18 refuses it. Where
    /// no path analysis runs (a type loaded with the structural checks only), the run-time check
    /// still keeps it from memory outside the program's.
    @Test func forgedDynptr() throws {
        let forge = Asm.lddw(1, 0x1000) + [
            Asm.store(8, 10, -16, 1),
            Asm.storeImm(4, 10, -8, 64 | 1 << 28),
            Asm.storeImm(4, 10, -4, 0),
        ]
        let read = [Asm.movReg(1, 10), Asm.add(1, -64), Asm.mov(2, 8), Asm.movReg(3, 10), Asm.add(3, -16),
                    Asm.mov(4, 0), Asm.mov(5, 0), Asm.call(201)]
        let slice = [Asm.movReg(1, 10), Asm.add(1, -16), Asm.mov(2, 0), Asm.mov(3, 8), Asm.call(203)]
        for (body, refusal) in [(read, VMError(instruction: 12, "Expected an initialized dynptr as arg #2", errno: .EINVAL)),
                                (slice, VMError(instruction: 9, "Expected an initialized dynptr as arg #0", errno: .EINVAL))] {
            #expect(throws: refusal) { try TCProgram(instructions: forge + body + [Asm.exit]) }
        }
        let unfollowed = { (body: [Instruction]) in try TCProgram(instructions: forge + body + [Asm.exit], type: Self.unanalysed) }
        #expect(throws: TCTestRun.Failure.self) { try TCTestRun.run(try unfollowed(read), packet: Self.packet) }
        #expect(Int32(bitPattern: try TCTestRun.run(try unfollowed(slice), packet: Self.packet).returnValue) == 0)
    }

    /// dynptr_from_mem: the stack is no data for it at load (the kernel takes a map value or plain
    /// memory), memory larger than the stack is refused first by the argument's check; without
    /// the path analysis, the run-time rules: flags EINVAL, E2BIG, the dynptr made.
    @Test func dynptrFromMemoryRefusals() throws {
        let make = { (size: Int32, flags: Int32) in
            [Asm.movReg(1, 10), Asm.add(1, -64), Asm.mov(2, size), Asm.mov(3, flags), Asm.movReg(4, 10), Asm.add(4, -16), Asm.call(197)]
        }
        #expect(Self.refusal(make(16, 0)) == VMError(instruction: 6, "Unsupported reg type fp for bpf_dynptr_from_mem data", errno: .EACCES))
        #expect(Self.refusal(make(0x100_0000, 0)) == VMError(instruction: 6, "invalid write to stack R1 off=-64 size=16777216"))
        #expect(try Self.returned(make(16, 1), type: Self.unanalysed) == -22)
        #expect(try Self.returned(make(0x100_0000, 0), type: Self.unanalysed) == -7)
        #expect(try Self.returned(make(16, 0), type: Self.unanalysed) == 0)
    }

    /// Probe reads: an address in the user half or the non-canonical hole is ERANGE, an
    /// unmapped kernel one EFAULT; the user variants fail on program memory (a kernel address
    /// to the kernel); nothing is dereferenced.
    @Test func probeReadsNeverDereference() throws {
        let read = { (id: Int32, source: [Instruction]) in
            source + [Asm.movReg(1, 10), Asm.add(1, -16), Asm.mov(2, 8), Asm.call(id)]
        }
        #expect(try Self.returned(read(113, [Asm.mov(3, 0x1000)])) == -34)
        #expect(try Self.returned(read(113, Asm.lddw(3, 0, high: Int32(bitPattern: 0xffff_8880)))) == -14)
        #expect(try Self.returned(read(112, [Asm.movReg(3, 10), Asm.add(3, -32)])) == -14)
        #expect(try Self.returned(read(115, Asm.lddw(3, 0x40, high: Int32(bitPattern: 0xffff_8880)))) == -14)
        #expect(try Self.returned(read(113, [Asm.storeImm(8, 10, -32, 5), Asm.movReg(3, 10), Asm.add(3, -32)])) == 0)
        #expect(try Self.returned(read(113, Asm.lddw(3, 0, high: Int32(bitPattern: 0x8000_0000)))) == -34)
        #expect(try Self.returned(read(115, Asm.lddw(3, 0, high: Int32(bitPattern: 0xffff_7fff)))) == -34)
        #expect(try Self.returned(read(115, Asm.lddw(3, Int32(bitPattern: 0xff60_0000), high: Int32(bitPattern: 0xffff_ffff)))) == -34)  // vsyscall
        #expect(try Self.returned(read(114, [Asm.movReg(3, 10), Asm.add(3, -32)])) == -14)
        #expect(try Self.returned(read(112, [Asm.mov(3, 0x1000)])) == -14)
    }

    /// String helpers: a buffer past the stack is refused at load (and faults without the path
    /// analysis); a bad base is EINVAL.
    @Test func stringArguments() throws {
        let pastTheStack = [Asm.movReg(1, 10), Asm.add(1, -4), Asm.mov(2, 16), Asm.mov(3, 0),
                            Asm.movReg(4, 10), Asm.add(4, -24), Asm.call(105)]
        #expect(Self.refusal(pastTheStack) == VMError(instruction: 6, "invalid read from stack R1 off=-4 size=16"))
        #expect(try Self.faults(pastTheStack, type: Self.unanalysed))
        #expect(try Self.returned([Asm.storeImm(4, 10, -8, 0x31), Asm.movReg(1, 10), Asm.add(1, -8), Asm.mov(2, 4), Asm.mov(3, 7),
                                   Asm.movReg(4, 10), Asm.add(4, -16), Asm.call(106)]) == -22)
    }

    /// snprintf: a format on the stack is refused at load (it must be a read-only map value);
    /// without the path analysis, argument arrays that are not whole u64s, or too long, are EINVAL.
    @Test func snprintfArguments() throws {
        let call = { (length: Int32) in
            [Asm.storeImm(4, 10, -8, 0x6425)] + [Asm.movReg(1, 10), Asm.add(1, -32), Asm.mov(2, 16), Asm.movReg(3, 10), Asm.add(3, -8),
                                                 Asm.movReg(4, 10), Asm.add(4, -200), Asm.mov(5, length), Asm.call(165)]
        }
        #expect(Self.refusal(call(8)) == VMError(instruction: 9, "R3 type=fp expected=map_value", errno: .EACCES))
        #expect(try Self.returned(call(7), type: Self.unanalysed) == -22)
        #expect(try Self.returned(call(104), type: Self.unanalysed) == -22)
    }

    /// adjust_room with an inner L2 header: the length must be at least ETH_HLEN, and the
    /// kernel takes any longer one that fits in the room.
    @Test func encapsulationInnerLength() throws {
        let ipv4 = [UInt8](repeating: 0, count: 12) + [0x08, 0x00, 0x45] + [UInt8](repeating: 0, count: 49)
        func adjust(_ inner: UInt64, room: Int32) throws -> Int32 {
            let flags: UInt64 = 1 << 1 | 1 << 6 | inner << 56
            let program = try TCProgram(instructions: [Asm.mov(2, room), Asm.mov(3, 1)]
                + Asm.lddw(4, Int32(bitPattern: UInt32(truncatingIfNeeded: flags)), high: Int32(bitPattern: UInt32(truncatingIfNeeded: flags >> 32)))
                + [Asm.call(50), Asm.exit])
            return Int32(bitPattern: try TCTestRun.run(program, packet: ipv4).returnValue)
        }
        #expect(try adjust(14, room: 34) == 0)
        #expect(try adjust(18, room: 38) == 0)
        #expect(try adjust(10, room: 30) == -22)
        #expect(try adjust(40, room: 30) == -22)
    }
}
