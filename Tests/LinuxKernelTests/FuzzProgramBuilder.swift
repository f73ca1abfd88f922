import BPFCore

/// Raw bytecode with forward and backward labels, for the verifier fuzzer's templates: a jump
/// names a label, and `finish` turns it into the relative offset the instruction carries.
struct FuzzProgramBuilder {
    private(set) var code: [Instruction] = []
    private var targets: [Int: Int] = [:]
    private var jumps: [(at: Int, label: Int)] = []
    private var calls: [(at: Int, label: Int)] = []
    private var labelCount = 0

    mutating func label() -> Int {
        labelCount += 1
        return labelCount
    }

    mutating func place(_ label: Int) { targets[label] = code.count }

    mutating func emit(_ code: UInt8, _ dst: UInt8 = 0, _ src: UInt8 = 0, _ offset: Int16 = 0, _ imm: Int32 = 0) {
        self.code.append(Instruction(opcode: code, dst: dst, src: src, offset: offset, imm: imm))
    }

    /// A jump instruction (`code` from the JMP or JMP32 class, or may_goto) to `label`.
    mutating func jump(_ code: UInt8, _ dst: UInt8 = 0, _ src: UInt8 = 0, imm: Int32 = 0, to label: Int) {
        jumps.append((self.code.count, label))
        emit(code, dst, src, 0, imm)
    }

    /// `call` of a bpf-to-bpf function starting at `label`.
    mutating func call(_ label: Int) {
        calls.append((code.count, label))
        emit(0x85, 0, 1, 0, 0)
    }

    /// `r[dst] = map[index]` (BPF_PSEUDO_MAP_IDX, resolved by the backend's loader).
    mutating func loadMap(_ dst: UInt8, index: Int32) {
        emit(0x18, dst, 5, 0, index)
        emit(0x00)
    }

    /// The program with every label resolved; a label never placed points past the end.
    func finish() -> [Instruction] {
        var program = code
        for (at, label) in jumps {
            let offset = (targets[label] ?? program.count) - at - 1
            program[at].offset = Int16(clamping: offset)
        }
        for (at, label) in calls {
            program[at].imm = Int32(clamping: (targets[label] ?? program.count) - at - 1)
        }
        return program
    }
}
