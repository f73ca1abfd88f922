import BPFCore
import TCX

/// Turns the object loader's map references (indexes into the program's map list) into the
/// map fds BPF_PROG_LOAD understands.
enum MapReferences {
    /// BPF_LD | BPF_IMM | BPF_DW: the first half of a 64-bit immediate load.
    private static let loadImm64: UInt8 = 0x18

    /// A copy of `instructions` where every `ld_imm64` with src MAP_IDX (5) becomes MAP_FD (1)
    /// and MAP_IDX_VALUE (6) becomes MAP_VALUE (2), `imm` the fd of `maps[imm]`; the value
    /// offset in the second half stays as it is. An index outside `maps` is EINVAL.
    static func resolve(_ instructions: [UInt8], maps: [Handle], program: String) throws(TCXError) -> [UInt8] {
        var bytes = instructions
        var offset = 0
        // The kernel refuses a truncated last instruction itself; only whole pairs are read.
        while offset + 8 <= bytes.count {
            let instruction = Instruction(bytes: bytes, at: offset)
            guard instruction.opcode == loadImm64, offset + 16 <= bytes.count else {
                offset += 8
                continue
            }
            let replacement: PseudoSource? = switch PseudoSource(rawValue: instruction.src) {
            case .mapIndex: .mapFD
            case .mapIndexValue: .mapValue
            default: nil
            }
            if let replacement {
                let index = UInt32(bitPattern: instruction.imm)
                guard index < maps.count else {
                    throw TCXError(.EINVAL, "BPF_PROG_LOAD '\(program)': instruction \(offset / 8) refers to map "
                                   + "index \(index), the program has \(maps.count) maps")
                }
                var rewritten = instruction
                rewritten.src = replacement.rawValue
                rewritten.imm = Int32(bitPattern: maps[Int(index)].rawValue)
                bytes.replaceSubrange(offset..<offset + 8, with: rewritten.bytes)
            }
            offset += 16
        }
        return bytes
    }
}
