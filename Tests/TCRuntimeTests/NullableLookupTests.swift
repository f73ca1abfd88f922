import BPFCore
import BPFMaps
import BPFVM
import TCRuntime
import Testing

/// The result of `bpf_map_lookup_elem` may be NULL: dereferencing it before any comparison is
/// refused at load, as the kernel refuses it; a comparison of any copy checks every copy; a
/// copy stored away is followed no further (the kernel would learn from a check of the copy it
/// reloads, so refusing then would refuse what the kernel accepts).
@Suite struct NullableLookupTests {
    static func map() throws -> BPFMap {
        try BPFMap.create(MapSpec(name: "m", type: .array, keySize: 4, valueSize: 8, maxEntries: 4), possibleCPUs: 1)
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

    @Test func aCopyStoredAwayIsFollowedNoFurther() throws {
        // Spilled, reloaded into r1, r1 checked, r0 dereferenced: the kernel links the copies.
        #expect(try Self.refusal([
            Asm.store(8, 10, -16, 0), Asm.load(8, 1, 10, -16), Asm.jeq(1, 0, 1), Asm.load(8, 0, 0, 0), Asm.exit,
        ]) == nil)
    }
}
