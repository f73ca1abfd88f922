import BPFCore
@testable import BPFObject
import Testing

/// A static function in a program section (what clang's hot/cold splitting leaves as
/// `name.cold.N`, seen in Calico's tc programs built with LLVM 21): libbpf's object open
/// refuses it with ENOTSUP before anything is loaded, so the loader refuses the object too.
@Suite struct StaticProgramTests {
    @Test func staticFunctionInAProgramSectionIsRefusedAsLibbpfDoes() {
        let refusal = Fixture.refusal(Fixture.bytes("static_program.o"), name: "static_program.o")
        #expect(refusal?.errno == .EOPNOTSUPP)
        #expect(refusal?.location == "symbol 'doubled'")
        #expect(refusal?.reason.contains("static functions in program sections are not supported") == true)
    }

    @Test func staticFunctionsInTextStaySubprograms() throws {
        // The same static function in .text is an ordinary subprogram.
        let spec = try Fixture.parse("subprogs.o")
        #expect(!spec.programs.isEmpty)
    }
}

/// `classifier/stats` and `tc_packet_hook0` (bpfman's and loxilb's sections, accepted by
/// loaders that match by prefix) are no libbpf section definitions: the program has no type,
/// EINVAL, and the refusal names the whole-name rule and the section to use.
@Suite struct PrefixedSectionTests {
    @Test func prefixedSectionsAreRefusedWithTheNameToUse() throws {
        let spec = try Fixture.parse("prefixed_sections.o")
        let counted = try #require(spec.program(named: "counted")?.refusal)
        #expect(counted.errno == .EINVAL)
        #expect(counted.description.contains("libbpf takes 'classifier' only as the whole name"))
        #expect(counted.description.contains("name the section 'classifier'"))
        let hooked = try #require(spec.program(named: "hooked")?.refusal)
        #expect(hooked.errno == .EINVAL)
        #expect(hooked.description.contains("libbpf takes 'tc' only as the whole name"))
        #expect(spec.program(named: "plain")?.refusal == nil)
    }
}
