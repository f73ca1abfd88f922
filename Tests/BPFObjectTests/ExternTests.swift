import BPFCore
@testable import BPFObject
import Glibc
import Testing

/// Externs as libbpf resolves them: `__kconfig` values from a configuration text, kfunc calls
/// and addresses by name, weak ones absent, strong ones refusing their program alone.
@Suite struct ExternTests {
    static let corpus = Fixture.directory + "/../corpus/kfunc"

    static func read(_ name: String) -> [UInt8] {
        Fixture.bytes("../corpus/kfunc/" + name)
    }

    static let sample = KconfigSource(release: "6.18.44-fc-v1300",
                                      configuration: String(decoding: read("config-sample"), as: UTF8.self))

    static func variable(_ name: String, _ type: KconfigType, size: Int, weak: Bool = false) -> Extern {
        Extern(name: name, isWeak: weak, kind: .kconfig(type, size: size, alignment: type == .characterArray ? 1 : min(size, 8)))
    }

    static let variables = [
        variable("CONFIG_ALPHA", .bool, size: 1), variable("CONFIG_BETA", .tristate, size: 4),
        variable("CONFIG_GAMMA", .int(signed: true), size: 4, weak: true), variable("CONFIG_DELTA", .char, size: 1),
        variable("CONFIG_HEX", .int(signed: true), size: 4), variable("CONFIG_OCT", .int(signed: false), size: 2),
        variable("CONFIG_NEG", .int(signed: true), size: 8), variable("CONFIG_NAME", .characterArray, size: 8),
        variable("LINUX_KERNEL_VERSION", .int(signed: false), size: 4),
    ]

    static func value(_ values: KconfigValues, _ name: String, size: Int) -> UInt64? {
        guard let offset = values.offsets[name] else { return nil }
        return (0 ..< size).reduce(UInt64(0)) { $0 | UInt64(values.bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    @Test func kconfigValuesFollowLibbpfRules() throws {
        let values = try KconfigValues(Self.variables, source: Self.sample, fail: Failure(file: "t.o"))
        #expect(Self.value(values, "CONFIG_ALPHA", size: 1) == 1)
        #expect(Self.value(values, "CONFIG_BETA", size: 4) == KconfigValues.tristateModule)
        #expect(Self.value(values, "CONFIG_GAMMA", size: 4) == 0)  // "is not set": a weak one stays 0
        #expect(Self.value(values, "CONFIG_DELTA", size: 1) == UInt64(UInt8(ascii: "n")))
        #expect(Self.value(values, "CONFIG_HEX", size: 4) == 0x1f)
        #expect(Self.value(values, "CONFIG_OCT", size: 2) == 0o17)
        #expect(Self.value(values, "CONFIG_NEG", size: 8) == UInt64(bitPattern: -3))
        #expect(Self.value(values, "LINUX_KERNEL_VERSION", size: 4) == 0x06_12_2c)
        // A string is cut to the array, NUL-terminated.
        if let offset = values.offsets["CONFIG_NAME"] {
            #expect(Array(values.bytes[offset ..< offset + 8]) == Array("tcx sam".utf8) + [0])
        }
        #expect(values.unresolved.isEmpty)
        // Largest alignment first: the 8-byte value at offset 0, the whole rounded to 8 bytes.
        #expect(values.offsets["CONFIG_NEG"] == 0)
        #expect(values.bytes.count % 8 == 0)
    }

    @Test func kconfigRefusesWhatLibbpfRefuses() {
        func refusal(_ config: String?, _ variables: [Extern] = ExternTests.variables) -> ObjectError? {
            let source = KconfigSource(release: "6.1.0", configuration: config)
            do { _ = try KconfigValues(variables, source: source, fail: Failure(file: "t.o")) } catch { return error }
            return nil
        }
        let base = String(decoding: Self.read("config-sample"), as: UTF8.self)
        #expect(refusal(base + "CONFIG_ALPHA=m\n")?.reason.contains("implies tristate or char type") != true)  // first value wins
        #expect(refusal("CONFIG_ALPHA=m\n")?.reason.contains("implies tristate or char type") == true)
        #expect(refusal("CONFIG_HEX=12abc\n")?.reason.contains("isn't a valid integer") == true)
        #expect(refusal("CONFIG_OCT=70000\n")?.errno == .ERANGE)
        #expect(refusal("CONFIG_NAME=y\n")?.reason.contains("implies bool, tristate, or char type") == true)
        #expect(refusal("CONFIG_HEX\n")?.reason.contains("no separator") == true)
        #expect(refusal(nil)?.errno == .ENOENT)
        #expect(refusal(nil, [Self.variable("LINUX_KERNEL_VERSION", .int(signed: false), size: 4)]) == nil)
        #expect(refusal("", [Self.variable("LINUX_TCX_UNKNOWN", .int(signed: false), size: 4)])?.reason.contains("unrecognized virtual extern") == true)
        #expect(refusal("", [Self.variable("LINUX_TCX_UNKNOWN", .int(signed: false), size: 4, weak: true)]) == nil)
        #expect(refusal("", [Self.variable("TCX_OTHER", .int(signed: false), size: 4, weak: true)])?.reason.contains("unrecognized extern") == true)
    }

    @Test func strongKconfigMissingIsUnresolved() throws {
        let values = try KconfigValues(Self.variables, source: KconfigSource(release: "6.1.0", configuration: "CONFIG_BETA=y\n"),
                                       fail: Failure(file: "t.o"))
        #expect(values.unresolved.contains("CONFIG_ALPHA"))
        #expect(!values.unresolved.contains("CONFIG_GAMMA"))
        #expect(Self.value(values, "CONFIG_BETA", size: 4) == KconfigValues.tristateYes)
    }

    @Test func kernelVersionAsLibbpfComputesIt() {
        #expect(KconfigValues.kernelVersion("6.18.44-fc-v1300") == 0x06_12_2c)
        #expect(KconfigValues.kernelVersion("5.4.300") == 0x05_04_ff)
        #expect(KconfigValues.kernelVersion("6.18") == nil)
        #expect(KconfigValues.kernelVersion("x.y.z") == nil)
    }

    @Test func gunzipReadsWhatGzipWrote() throws {
        let plain = Self.read("config-sample")
        let packed = Self.read("config-sample.gz")
        #expect(try Gunzip.decompress(packed, limit: 1 << 20) == Array(repeating: plain, count: 40).flatMap { $0 })
        #expect(throws: Gunzip.Failure.self) { try Gunzip.decompress(Array(packed.prefix(packed.count / 2)), limit: 1 << 20) }
        #expect(throws: Gunzip.Failure.self) { try Gunzip.decompress(packed, limit: 100) }
        #expect(throws: Gunzip.Failure.self) { try Gunzip.decompress(plain, limit: 1 << 20) }
    }

    @Test func objectGetsAReadOnlyKconfigMap() throws {
        let spec = try ObjectSpec.parse(bytes: Self.read("externs.o"), name: "externs.o", kfuncs: .embedded, kconfig: Self.sample)
        let index = try #require(spec.maps.firstIndex { $0.name.hasSuffix(".kconfig") })
        let map = spec.maps[index]
        #expect(map.name == "externs.kconfig")
        #expect(map.flags & MapFlags.rdonlyProg != 0)
        #expect(map.valueSize % 8 == 0 && map.maxEntries == 1)
        let program = try #require(spec.program(named: "externs"))
        #expect(program.refusal == nil)
        let loads = program.decodedInstructions.filter { $0.opcode == 0x18 && $0.src == PseudoSource.mapIndexValue.rawValue }
        #expect(loads.count == 9)
        #expect(loads.allSatisfy { $0.imm == Int32(index) })
    }

    @Test func kfuncsResolveByNameForTheEmbeddedBackend() throws {
        let spec = try ObjectSpec.parse(bytes: Self.read("externs.o"), name: "externs.o", kfuncs: .embedded, kconfig: Self.sample)
        let program = try #require(spec.program(named: "externs"))
        let code = program.decodedInstructions
        let new = try #require(program.kfuncs.first { $0.name == "bpf_iter_num_new" })
        #expect(new.resolved && new.isCall)
        #expect(code[new.instruction].src == CallSource.kfunc.rawValue)
        #expect(code[new.instruction].imm == EmbeddedKfunc.iterNumNew.rawValue)
        let absent = program.kfuncs.filter { $0.name == "bpf_tcx_kfunc_nobody_has" }
        #expect(absent.count == 2 && absent.allSatisfy { !$0.resolved && $0.isWeak })
        for site in absent {
            let insn = code[site.instruction]
            if site.isCall {
                #expect(insn.src == 0 && KfuncResolver.poisonBase ..< KfuncResolver.poisonBase + 100 ~= insn.imm)
            } else {
                #expect(insn.src == 0 && insn.imm == 0 && code[site.instruction + 1].imm == 0)
            }
        }
    }

    @Test func refusalsNameTheExternAndFailOnlyTheirProgram() throws {
        let spec = try ObjectSpec.parse(bytes: Self.read("refused.o"), name: "refused.o", kfuncs: .embedded, kconfig: Self.sample)
        let strong = try #require(spec.program(named: "strong_missing")?.refusal)
        #expect(strong.errno == .ESRCH && strong.description.contains("bpf_tcx_strong_kfunc_nobody_has"))
        let notForTC = try #require(spec.program(named: "not_for_tc")?.refusal)
        #expect(notForTC.errno == .EACCES && notForTC.description.contains("calling kernel function bpf_sock_destroy is not allowed"))
        let kconfig = try #require(spec.program(named: "kconfig_missing")?.refusal)
        #expect(kconfig.errno == .ESRCH && kconfig.description.contains("CONFIG_TCX_NOT_A_REAL_OPTION"))
        // A weak kfunc is poisoned, not refused: the verifier judges whether the call is reached.
        #expect(spec.program(named: "weak_unguarded")?.refusal == nil)
        #expect(spec.program(named: "fine")?.refusal == nil)
    }

    @Test func kfuncsResolveAgainstTheKernelsBTF() throws {
        guard access(COREBTFSource.kernelPath, R_OK) == 0 else { return }
        let spec = try ObjectSpec.parse(bytes: Self.read("refused.o"), name: "refused.o", kfuncs: .kernel, kconfig: Self.sample)
        let strong = try #require(spec.program(named: "strong_missing")?.refusal)
        #expect(strong.errno == .ESRCH && strong.description.contains("not found in kernel or module BTFs"))
        let destroy = try #require(spec.program(named: "not_for_tc")?.kfuncs.first)
        #expect(destroy.resolved && destroy.name == "bpf_sock_destroy")
        let code = try #require(spec.program(named: "not_for_tc")).decodedInstructions
        #expect(code[destroy.instruction].src == CallSource.kfunc.rawValue && code[destroy.instruction].imm > 0)
    }
}
