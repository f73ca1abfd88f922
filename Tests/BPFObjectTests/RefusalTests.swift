import BPFCore
@testable import BPFObject
import Testing

@Suite struct RefusalTests {
    func reason(_ fixture: String) -> String {
        Fixture.refusal(Fixture.bytes(fixture), name: fixture)?.description ?? "parsed"
    }

    @Test func coreRelocationsOfAMissingTypeArePoisoned() throws {
        // sk_buff_view is in no target: the read is poisoned (refused by the verifier if reached).
        let spec = try ObjectSpec.parse(bytes: Fixture.bytes("core_relo.o"), name: "core_relo.o", coreBTF: .shipped)
        let code = try #require(spec.programs.first).decodedInstructions
        #expect(code.contains(Instruction(opcode: 0x85, imm: 0xbad2310)))
    }

    /// The refusal of one program of a fixture that otherwise parses.
    func programRefusal(_ fixture: String, _ program: String) -> ProgramRefusal? {
        (try? Fixture.parse(fixture))?.program(named: program)?.refusal
    }

    @Test func kfuncsAndExternsFailTheirProgramOnly() {
        let kfunc = programRefusal("kfunc.o", "uses_kfunc")
        #expect(kfunc?.errno == .EINVAL)
        #expect(kfunc?.description.contains("extern") == true)
        #expect(kfunc?.description.contains("bpf_ktime_get_coarse_ns_kfunc") == true)
        #expect(programRefusal("extern_var.o", "uses_extern")?.description.contains("'CONFIG_HZ' is an extern") == true)
    }

    @Test func otherProgramTypesAreListedAndRefused() {
        let refusal = programRefusal("unknown_section.o", "probe")
        #expect(refusal?.errno == .EINVAL)
        #expect(refusal?.description.contains("function 'probe' in section 'kprobe/do_sys_open': is a program of type 'kprobe'") == true)
    }

    @Test func bigEndian() {
        #expect(reason("bigendian.o").contains("big-endian"))
    }

    @Test func notBPF() {
        var bytes = Fixture.bytes("sections.o")
        bytes[18] = 62   // EM_X86_64
        #expect(Fixture.refusal(bytes)?.reason.contains("not BPF") == true)
        #expect(Fixture.refusal(Array("hello".utf8))?.reason.contains("too short") == true)
        #expect(Fixture.refusal([UInt8](repeating: 0, count: 64))?.reason.contains("not an ELF") == true)
        var elf32 = Fixture.bytes("sections.o")
        elf32[4] = 1
        #expect(Fixture.refusal(elf32)?.reason.contains("32-bit") == true)
    }

    @Test func truncated() {
        let bytes = Fixture.bytes("globals.o")
        let error = Fixture.refusal(Array(bytes.prefix(bytes.count - 100)), name: "cut.o")
        #expect(error?.file == "cut.o")
        #expect(error?.description.contains("outside the file") == true)
    }
}
