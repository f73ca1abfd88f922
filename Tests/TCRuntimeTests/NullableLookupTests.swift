import BPFCore
import BPFMaps
import BPFVM
import TCRuntime
import Testing

/// The result of `bpf_map_lookup_elem` may be NULL: dereferencing it before any comparison is
/// refused at load, as the kernel refuses it; a comparison of any copy checks every copy, a
/// spilled copy reloaded included. An array looked up with a key the verifier knows, inside the
/// array, gives no NULL (Linux 6.14 on; `rules.tcx` records it).
@Suite struct NullableLookupTests {
    static func map(_ type: MapType = .hash) throws -> BPFMap {
        try BPFMap.create(MapSpec(name: "m", type: type, keySize: 4, valueSize: 8, maxEntries: 4), possibleCPUs: 1)
    }

    @Test func anArrayWithAKnownKeyInsideGivesNoNull() throws {
        let array = [try Self.map(.array)]
        let dereference = [Asm.load(8, 0, 0, 0), Asm.exit]
        #expect(throws: Never.self) { _ = try TCProgram(instructions: Self.program(dereference), maps: array) }
        let outside = [Asm.storeImm(4, 10, -8, 4)] + Asm.lddw(1, src: 5, 0)
            + [Asm.movReg(2, 10), Asm.add(2, -8), Asm.call(1)] + dereference
        #expect(throws: VMError(instruction: 6, "R0 invalid mem access 'map_value_or_null'", errno: .EACCES)) {
            _ = try TCProgram(instructions: outside, maps: array)
        }
    }

    /// key 0 on the stack, the lookup, then `tail`.
    static func program(_ tail: [Instruction]) -> [Instruction] {
        [Asm.storeImm(4, 10, -4, 0)] + Asm.lddw(1, src: 5, 0) + [Asm.movReg(2, 10), Asm.add(2, -4), Asm.call(1)] + tail
    }

    static func refusal(_ tail: [Instruction]) throws -> String? {
        let maps = [try Self.map()]
        do {
            _ = try TCProgram(instructions: Self.program(tail), maps: maps)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aDereferenceBeforeAnyCheckIsRefused() throws {
        let refusal = try Self.refusal([Asm.load(8, 0, 0, 0), Asm.exit])
        #expect(refusal?.contains("R0 invalid mem access 'map_value_or_null'") == true)
        let throughCopy = try Self.refusal([Asm.movReg(6, 0), Asm.storeImm(8, 6, 0, 1), Asm.mov(0, 0), Asm.exit])
        #expect(throughCopy?.contains("R6 invalid mem access 'map_value_or_null'") == true)
    }

    @Test func checkingOneCopyChecksThemAll() throws {
        #expect(try Self.refusal([Asm.movReg(6, 0), Asm.jeq(0, 0, 1), Asm.load(8, 0, 6, 0), Asm.exit]) == nil)
        #expect(try Self.refusal([Asm.movReg(6, 0), Asm.jeq(6, 0, 2), Asm.load(8, 0, 0, 0), Asm.exit, Asm.exit]) == nil)
    }

    @Test func aSpilledCopyIsFollowedThroughTheStack() throws {
        // Spilled, reloaded into r1, r1 checked, r0 dereferenced: the kernel links the copies.
        #expect(try Self.refusal([
            Asm.store(8, 10, -16, 0), Asm.load(8, 1, 10, -16), Asm.jeq(1, 0, 1), Asm.load(8, 0, 0, 0), Asm.exit,
        ]) == nil)
        // Reloaded and dereferenced unchecked: refused as the kernel refuses it.
        #expect(try Self.refusal([
            Asm.store(8, 10, -16, 0), Asm.load(8, 1, 10, -16), Asm.load(8, 0, 1, 0), Asm.exit,
        ]) == "insn 8: R1 invalid mem access 'map_value_or_null'")
    }
}
