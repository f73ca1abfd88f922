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
