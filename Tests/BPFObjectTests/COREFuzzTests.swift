@testable import BPFObject
import Testing

/// Mutated CO-RE objects (records, access strings, local BTF, code) parse or are refused with
/// an ObjectError against every kind of target: never a crash or a hang.
/// BPFOBJECT_FUZZ_ITERATIONS runs longer (default 4000 here too).
@Suite struct COREFuzzTests {
    @Test func mutatedCOREObjectsParseOrThrow() {
        let iterations = Int(FuzzTests.environment("BPFOBJECT_FUZZ_ITERATIONS") ?? 4000)
        var random = Mutator.Random(state: FuzzTests.environment("BPFOBJECT_FUZZ_SEED") ?? 0x636f_7265)
        let names = ["core_units.o", "core_fields.o", "core_types.o", "core_flavors.o"]
        let mutators = names.map { Mutator(CORETests.read($0)) }
        let targets: [COREBTFSource] = [.shipped, .file(CORETests.directory + "/target_units.btf")]
        var parsed = 0, refused = 0
        for i in 0 ..< iterations {
            let k = random.below(mutators.count)
            let input = mutators[k].mutate(&random)
            do {
                let spec = try ObjectSpec.parse(bytes: input, name: "fuzz-" + names[k], coreBTF: targets[i % targets.count])
                for program in spec.programs {
                    #expect(program.instructions.count % 8 == 0)
                    for index in program.corePoisons.keys { #expect(index < program.instructions.count / 8) }
                }
                parsed += 1
            } catch {
                #expect(error.file == "fuzz-" + names[k])
                #expect(!error.reason.isEmpty)
                refused += 1
            }
        }
        #expect(parsed + refused == iterations)
        #expect(parsed > iterations / 20 && refused > iterations / 20, "parsed \(parsed), refused \(refused)")
    }
}
