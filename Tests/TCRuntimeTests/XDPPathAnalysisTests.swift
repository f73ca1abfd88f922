import BPFCore
import BPFVM
import TCRuntime
import Testing

/// XDP programs load through the path analysis with the `xdp_md` context: packet reads must be
/// proven inside `data_end`, metadata reads inside `data`, the context is read-only and read
/// 32 bits at a time, and xdp_adjust_head forgets every packet pointer (Linux 6.18's rules).
@Suite struct XDPPathAnalysisTests {
    /// What the load of an XDP program refuses, or nil.
    static func refusal(_ instructions: [Instruction]) -> VMError? {
        do {
            _ = try TCProgram(instructions: instructions + [Asm.mov(0, 2), Asm.exit], type: .xdp)
            return nil
        } catch {
            return error
        }
    }

    /// `if dst > src goto +offset`.
    static func jgtReg(_ dst: UInt8, _ src: UInt8, _ offset: Int16) -> Instruction {
        Instruction(opcode: 0x2d, dst: dst, src: src, offset: offset)
    }

    /// r2 = data (or data_meta), r3 = data_end (or data), then `if r2 + 8 > r3` skips `body`.
    static func checked(start: Int16, end: Int16, _ body: [Instruction]) -> [Instruction] {
        [Asm.load(4, 2, 1, start), Asm.load(4, 3, 1, end), Asm.movReg(4, 2), Asm.add(4, 8),
         jgtReg(4, 3, Int16(body.count))] + body
    }

    @Test func packetReadsMustBeInsideTheCheckedRange() {
        #expect(Self.refusal(Self.checked(start: 0, end: 4, [Asm.load(8, 0, 2, 0)])) == nil)
        let past = Self.refusal(Self.checked(start: 0, end: 4, [Asm.load(8, 0, 2, 4)]))
        #expect(past?.errno == .EACCES)
        #expect(past?.reason.hasPrefix("invalid access to packet, off=4 size=8") == true)
        // Unchecked: nothing of the packet is known to be there.
        #expect(Self.refusal([Asm.load(4, 2, 1, 0), Asm.load(1, 0, 2, 0)])?.errno == .EACCES)
    }

    @Test func metadataIsBoundedByData() {
        #expect(Self.refusal(Self.checked(start: 8, end: 0, [Asm.load(8, 0, 2, 0)])) == nil)
        #expect(Self.refusal([Asm.load(4, 2, 1, 8), Asm.load(1, 0, 2, 0)])?.errno == .EACCES)
    }

    @Test func contextIsReadOnlyAndReadWhole() {
        #expect(Self.refusal([Asm.load(4, 0, 1, 12), Asm.load(4, 0, 1, 16)]) == nil)
        #expect(Self.refusal([Asm.load(2, 0, 1, 12)])
                == VMError(instruction: 0, "invalid bpf_context access off=12 size=2", errno: .EACCES))
        #expect(Self.refusal([Asm.load(8, 0, 1, 0)])?.errno == .EACCES)
        #expect(Self.refusal([Asm.load(4, 0, 1, 24)])?.errno == .EACCES)
        #expect(Self.refusal([Asm.storeImm(4, 1, 12, 0)])?.errno == .EACCES)
    }

    /// A pointer the comparison left past the end is refused before its bounds are compared,
    /// with EINVAL as Linux 6.18 refuses it (`check_packet_access`, `reg->range < 0`).
    @Test func pointerPastTheEndIsRefusedWithEINVAL() {
        let program = [Asm.load(4, 2, 1, 0), Asm.load(4, 3, 1, 4), Self.jgtReg(2, 3, 2), Asm.mov(0, 2), Asm.exit,
                       Asm.load(1, 0, 2, 0)]
        #expect(Self.refusal(program) == VMError(instruction: 5, "R2 offset is outside of the packet", errno: .EINVAL))
    }

    @Test func adjustHeadForgetsPacketPointers() {
        let save = [Asm.movReg(6, 1)]
        let adjust = [Asm.movReg(1, 6), Asm.mov(2, 0), Asm.call(44)]
        let kept = Self.checked(start: 0, end: 4, [Asm.movReg(7, 2), Asm.load(1, 0, 7, 0)])
        #expect(Self.refusal(save + kept) == nil)
        let afterAdjust = Self.checked(start: 0, end: 4, [Asm.movReg(7, 2)] + adjust + [Asm.load(1, 0, 7, 0)])
        #expect(Self.refusal(save + afterAdjust)?.reason == "R7 invalid mem access 'scalar'")
    }
}
