import BPFCore
@testable import BPFObject
import Glibc
import Testing

/// Every CO-RE relocation kind of Tests/Fixtures/corpus/core/core_units.o resolved against
/// target_units.btf, whose types were chosen for each rule (flavours, anonymous members,
/// bitfields, size changes, ambiguity), and the errors for what cannot be resolved.
@Suite struct CORETests {
    static let directory: String = {
        let tests = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
        return tests + "/Fixtures/corpus/core"
    }()

    static func read(_ name: String) -> [UInt8] {
        guard let file = fopen(directory + "/" + name, "rb") else { return [] }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            out += buffer[0 ..< n]
        }
        return out
    }

    struct Units {
        let local: BTF
        let target: BTF
        let relocations: [CORERelocation]
    }

    func units() throws -> Units {
        let fail = Failure(file: "core_units.o")
        let elf = try ELFFile(Self.read("core_units.o"), fail: fail)
        let local = try BTF(#require(elf.section(named: ".BTF")), fail: fail)
        let records = try CORERecords.read(#require(elf.section(named: ".BTF.ext")), btf: local, fail: fail)
        let target = try BTF(bytes: Self.read("target_units.btf"), location: "target_units.btf", fail: fail)
        return Units(local: local, target: target, relocations: records["tc"] ?? [])
    }

    /// `kind path` for a relocation: `byte_off struct holder.embedded.inner`, `enumval_value enum colour GREEN`.
    func key(_ r: CORERelocation, _ local: BTF) throws -> String {
        let spec = try CORELocalSpec.parse(r, in: local)
        if r.kind.isEnumValueBased { return "\(r.kind.name) \(local.describe(r.typeID)) \(spec.accessors.first?.name ?? "")" }
        return "\(r.kind.name) \(spec.path(in: local))"
    }

    func results() throws -> [String: Result<COREResult, COREFailure>] {
        let u = try units()
        var applier = COREApplier(local: u.local, target: u.target)
        var out: [String: Result<COREResult, COREFailure>] = [:]
        for r in u.relocations {
            let name = try key(r, u.local)
            do throws(COREFailure) { out[name] = .success(try applier.resolve(r)) } catch { out[name] = .failure(error) }
        }
        return out
    }

    func value(_ results: [String: Result<COREResult, COREFailure>], _ key: String) -> UInt64? {
        guard case .success(let r)? = results[key], !r.poison else { return nil }
        return r.new
    }

    @Test func everyKindIsInTheFixture() throws {
        let kinds = Set(try units().relocations.map(\.kind))
        #expect(kinds == Set(COREKind.allCases))
    }

    @Test func fieldOffsetsThroughAnonymousMembersAndArrays() throws {
        let r = try results()
        #expect(value(r, "byte_off struct holder.embedded.inner") == 12)
        #expect(value(r, "byte_off struct holder.embedded.deep") == 16)
        #expect(value(r, "byte_off struct holder.embedded.arr[2]") == 28)
        #expect(value(r, "byte_off struct holder.embedded.tail[3]") == 39, "flexible array indexed past its length")
    }

    @Test func flavoursWithTheSameOffsetAgree() throws {
        #expect(value(try results(), "byte_off struct same.x") == 0)
    }

    @Test func bitfields() throws {
        let r = try results()
        #expect(value(r, "byte_off struct bits.a") == 4)
        #expect(value(r, "byte_sz struct bits.a") == 4)
        #expect(value(r, "signed struct bits.c") == 1)
        #expect(value(r, "lshift_u64 struct bits.b") == 54)
        #expect(value(r, "rshift_u64 struct bits.b") == 57)
        #expect(value(r, "lshift_u64 struct bits.d") == 24)
        #expect(value(r, "rshift_u64 struct bits.d") == 24)
        #expect(value(r, "byte_off struct bits.d") == 8)
        #expect(value(r, "byte_sz struct bits.d") == 8)
    }

    @Test func loadSizeChanges() throws {
        let r = try results()
        guard case .success(let wide)? = r["byte_off struct wide.v"] else { Issue.record("no wide.v"); return }
        #expect(wide.originalSize == 4 && wide.newSize == 8 && !wide.failsSizeAdjust)
        var code = [Instruction(opcode: 0x61, dst: 1, src: 2, offset: 0), Instruction(opcode: 0x95)]
        try COREPatch.apply(wide, to: &code, at: 0)
        #expect(code[0].opcode == 0x79, "ldxw widened to ldxdw")
        guard case .success(let neg)? = r["byte_off struct neg.v"] else { Issue.record("no neg.v"); return }
        #expect(neg.failsSizeAdjust, "signed int over long long cannot be resized")
        code = [Instruction(opcode: 0x61, dst: 1, src: 2, offset: 0), Instruction(opcode: 0x95)]
        try COREPatch.apply(neg, to: &code, at: 0)
        #expect(code[0] == Instruction(opcode: 0x85, imm: 0xbad2310))
        #expect(value(r, "field_exists struct neg.v") == 1)
    }

    @Test func enumValues() throws {
        let r = try results()
        #expect(value(r, "enumval_value enum colour GREEN") == 9)
        #expect(value(r, "enumval_exists enum colour BLUE") == 0)
        guard case .success(let blue)? = r["enumval_value enum colour BLUE"] else { Issue.record("no BLUE"); return }
        #expect(blue.poison)
        #expect(value(r, "enumval_value enum big BIG_ONE") == 0x12_3456_7890, "32-bit local enum, 64-bit target")
    }

    @Test func typeRelocations() throws {
        let u = try units()
        let r = try results()
        #expect(value(r, "type_size struct nest") == 28)
        #expect(value(r, "type_exists struct holder") == 1)
        #expect(value(r, "type_matches struct holder") == 0, "struct nest's members differ")
        #expect(value(r, "type_matches struct pair") == 1, "same members, sizes and signedness; a pointer to itself")
        #expect(value(r, "type_exists struct shape") == 0, "the target's shape is a union")
        let nestTarget = u.target.types.firstIndex { $0.kind == .structure && $0.name == "nest" }
        #expect(value(r, "target_type_id struct nest") == nestTarget.map(UInt64.init))
        let local = u.relocations.first { $0.kind == .typeIDLocal }
        #expect(value(r, "local_type_id struct nest") == local.map { UInt64($0.typeID) })
    }

    @Test func ambiguityIsAnError() throws {
        guard case .failure(let error)? = try results()["byte_off struct amb.x"] else { Issue.record("resolved"); return }
        #expect(error.reason.hasPrefix("field offset ambiguity"))
        #expect(error.errno == .EINVAL)
    }

    @Test func offsetsPastTheInstructionFieldAreERANGE() throws {
        guard case .success(let far)? = try results()["byte_off struct far.beyond"] else { Issue.record("no far"); return }
        var code = [Instruction(opcode: 0x61, dst: 0, src: 1, offset: 0), Instruction(opcode: 0x95)]
        #expect(throws: COREFailure.self) { try COREPatch.apply(far, to: &code, at: 0) }
        do { try COREPatch.apply(far, to: &code, at: 0) } catch { #expect(error.errno == .ERANGE) }
    }

    @Test func theObjectErrorNamesKindTypeAndAccess() throws {
        let target = Self.directory + "/target_units.btf"
        do {
            _ = try ObjectSpec.parse(bytes: Self.read("core_units.o"), name: "core_units.o", coreBTF: .file(target))
            Issue.record("parsed")
        } catch {
            #expect(error.errno == .EINVAL)
            #expect(error.description.contains("function 'units' in section 'tc'"))
            #expect(error.description.contains("(byte_off) of struct amb, access '0:0': field offset ambiguity"))
        }
    }

    @Test func instructionPatchingRules() throws {
        var alu = [Instruction(opcode: 0xb7, dst: 1, imm: 4), Instruction(opcode: 0x95)]
        try COREPatch.apply(COREResult(original: 4, new: 12), to: &alu, at: 0)
        #expect(alu[0].imm == 12)
        #expect(throws: COREFailure.self) { try COREPatch.apply(COREResult(original: 5, new: 12), to: &alu, at: 0) }
        var register = [Instruction(opcode: 0xbf, dst: 1, src: 2), Instruction(opcode: 0x95)]
        #expect(throws: COREFailure.self) { try COREPatch.apply(COREResult(original: 0, new: 1), to: &register, at: 0) }
        var wide = [Instruction(opcode: 0x18, dst: 1, imm: 1), Instruction(opcode: 0, imm: 0), Instruction(opcode: 0x95)]
        try COREPatch.apply(COREResult(original: 1, new: 0x1_0000_0002), to: &wide, at: 0)
        #expect(wide[0].imm == 2 && wide[1].imm == 1)
        var store = [Instruction(opcode: 0x63, dst: 1, src: 2, offset: 4), Instruction(opcode: 0x95)]
        try COREPatch.apply(COREResult(original: 4, new: 8), to: &store, at: 0)
        #expect(store[0].offset == 8)
        var exit = [Instruction(opcode: 0x95)]
        #expect(throws: COREFailure.self) { try COREPatch.apply(COREResult(original: 0, new: 1), to: &exit, at: 0) }
    }

    @Test func flavourNames() {
        #expect(CORENames.essential("sk_buff___v2") == "sk_buff")
        #expect(CORENames.essential("a___b___c") == "a___b")
        #expect(CORENames.essential("____x") == "____x")
        #expect(CORENames.essential("x___") == "x___")
        #expect(CORENames.essential("__sk_buff") == "__sk_buff")
    }

    @Test func targetChoices() throws {
        #expect(COREBTFSource.parse("kernel") == .kernel)
        #expect(COREBTFSource.parse("shipped") == .shipped)
        #expect(COREBTFSource.parse("auto") == .auto)
        #expect(COREBTFSource.parse("/tmp/x.btf") == .file("/tmp/x.btf"))
        let shipped = try CORETargets.load(.shipped, fail: Failure(file: "x.o")).btf
        for name in ["__sk_buff", "ethhdr", "iphdr", "ipv6hdr", "tcphdr", "udphdr", "icmphdr", "vlan_hdr",
                     "bpf_sock", "bpf_fib_lookup", "bpf_tunnel_key"] {
            #expect(shipped.types.contains { $0.kind == .structure && $0.name == name }, "\(name)")
        }
        let skb = try #require(shipped.types.firstIndex { $0.kind == .structure && $0.name == "__sk_buff" })
        #expect(shipped.size(of: UInt32(skb)) == 192)
        do {
            _ = try CORETargets.load(.file("/nonexistent/vmlinux"), fail: Failure(file: "x.o"))
            Issue.record("loaded")
        } catch {
            #expect(error.errno == .ENOENT)
            #expect(error.reason.contains("cannot read the CO-RE target BTF /nonexistent/vmlinux"))
        }
    }

    @Test func guardedPoisonsAreListedWithTheirRelocations() throws {
        let spec = try ObjectSpec.parse(bytes: Self.read("core_flavors.o"), name: "core_flavors.o", coreBTF: .shipped)
        let program = try #require(spec.program(named: "flavors"))
        #expect(program.corePoisons.count == 2)
        #expect(program.corePoisons.values.contains { $0.contains("(byte_off) of struct __sk_buff___old") })
        #expect(program.corePoisons.values.contains { $0.contains("(enumval_value) of enum bpf_adj_room_mode___v2") })
        let code = program.decodedInstructions
        for index in program.corePoisons.keys {
            #expect(code[index] == Instruction(opcode: 0x85, imm: 0xbad2310))
        }
        // The kernel-style check accepts it: neither poison is reachable.
        #expect(spec.programs.count == 1)
    }
}
