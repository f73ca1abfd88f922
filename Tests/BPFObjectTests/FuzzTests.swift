@testable import BPFObject
import Glibc
import Testing

/// Mutated fixture objects must parse or be refused with an ObjectError: never crash.
/// BPFOBJECT_FUZZ_ITERATIONS runs longer (default 4000); BPFOBJECT_FUZZ_SEED picks another sequence.
@Suite struct FuzzTests {
    static func environment(_ name: String) -> UInt64? {
        guard let raw = getenv(name) else { return nil }
        return UInt64(String(cString: raw))
    }

    @Test func mutatedObjectsParseOrThrow() {
        let iterations = Int(Self.environment("BPFOBJECT_FUZZ_ITERATIONS") ?? 4000)
        var random = Mutator.Random(state: Self.environment("BPFOBJECT_FUZZ_SEED") ?? 0x7463_785f_6f62_6a)
        let names = Fixture.all + ["core_relo.o", "kfunc.o", "extern_var.o"]
        let mutators = names.map { Mutator(Fixture.bytes($0)) }
        var parsed = 0, refused = 0
        for _ in 0 ..< iterations {
            let k = random.below(mutators.count)
            let input = mutators[k].mutate(&random)
            do {
                let spec = try ObjectSpec.parse(bytes: input, name: "fuzz-" + names[k])
                // Whatever parses must be usable: whole instructions, known map indices.
                for program in spec.programs {
                    #expect(program.instructions.count % 8 == 0)
                    for load in program.loads(.mapIndex) + program.loads(.mapIndexValue) {
                        #expect(Int(load.first.imm) < spec.maps.count)
                    }
                }
                parsed += 1
            } catch {
                #expect(error.file == "fuzz-" + names[k])
                #expect(!error.reason.isEmpty)
                refused += 1
            }
        }
        #expect(parsed + refused == iterations)
        // Both outcomes must be common, or the mutations are not reaching the parser's depths.
        #expect(parsed > iterations / 20 && refused > iterations / 20, "parsed \(parsed), refused \(refused)")
    }
}
