import BPFCore
import TCX

/// A tc program that adds one to slot 0 of an array map for every frame it sees, written as raw
/// instructions (no clang): the map is the loader's first (BPF_PSEUDO_MAP_IDX 0).
enum CountingProgram {
    static let map = MapSpec(name: "counts", type: .array, keySize: 4, valueSize: 8, maxEntries: 1)

    static func spec(returning verdict: Int32, name: String = "counter") -> ProgramSpec {
        let program: [Instruction] = [
            Instruction(opcode: 0x62, dst: 10, offset: -4, imm: 0),        // *(u32 *)(r10 - 4) = 0: the key
            Instruction(opcode: 0xbf, dst: 2, src: 10),                    // r2 = r10
            Instruction(opcode: 0x07, dst: 2, imm: -4),                    // r2 += -4
            Instruction(opcode: 0x18, dst: 1, src: 5, imm: 0),             // r1 = map #0 (ld_imm64, BPF_PSEUDO_MAP_IDX)
            Instruction(opcode: 0x00),                                     //   (its upper half)
            Instruction(opcode: 0x85, imm: 1),                             // call bpf_map_lookup_elem
            Instruction(opcode: 0x15, dst: 0, offset: 2, imm: 0),          // if r0 == 0 goto +2
            Instruction(opcode: 0xb7, dst: 1, imm: 1),                     // r1 = 1
            Instruction(opcode: 0xdb, dst: 0, src: 1, offset: 0, imm: 0),  // lock *(u64 *)(r0 + 0) += r1
            Instruction(opcode: 0xb7, dst: 0, imm: verdict),               // r0 = verdict
            Instruction(opcode: 0x95),                                     // exit
        ]
        return ProgramSpec(name: name, instructions: Instruction.encode(program))
    }

    /// Slot 0 of the map as a number.
    static func count(_ world: some BPFObjectSystem, _ map: Handle) throws -> UInt64 {
        let value = try world.lookup(map: map, key: [0, 0, 0, 0])
        return value.prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
