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

    @Test func kfuncsAndExterns() {
        #expect(reason("kfunc.o").contains("extern"))
        #expect(reason("kfunc.o").contains("bpf_ktime_get_coarse_ns_kfunc"))
        #expect(reason("extern_var.o").contains("'CONFIG_HZ' is an extern"))
    }

    @Test func unknownSection() {
        #expect(reason("unknown_section.o").contains("section 'kprobe/do_sys_open': no supported program type"))
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
