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

    @Test func kfuncsAndExternsFailTheirProgramOnly() throws {
        // A weak kfunc no backend has is poisoned, not refused; a strong one refuses its program.
        let weak = try Fixture.parse("kfunc.o").program(named: "uses_kfunc")
        #expect(weak?.refusal == nil)
        #expect(weak?.kfuncs.map(\.resolved) == [false])
        let strong = try ObjectSpec.parse(bytes: Fixture.bytes("../corpus/maps/mixed.o"), name: "mixed.o",
                                          kconfig: KconfigSource(release: "6.1.0", configuration: "CONFIG_HZ=100\n"))
        let refusal = strong.program(named: "uses_kfunc")?.refusal
        #expect(refusal?.errno == .ESRCH)
        #expect(refusal?.description.contains("bpf_ktime_get_coarse_ns_kfunc") == true)
        // The kconfig reader loads, reading the .kconfig map.
        #expect(strong.program(named: "calls_kconfig_reader")?.refusal == nil)
        #expect(strong.maps.contains { $0.name == "mixed.kconfig" })
        let externs = try ObjectSpec.parse(bytes: Fixture.bytes("extern_var.o"), name: "extern_var.o",
                                           kconfig: KconfigSource(release: "6.1.0", configuration: "CONFIG_HZ=100\n"))
        #expect(externs.program(named: "uses_extern")?.refusal == nil)
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
