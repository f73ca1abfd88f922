import BPFCore
import Engine
import Glibc
import LinuxKernel
import TCX
import Testing

/// The embedded verifier against the kernel's on generated programs (issue 12): every program
/// of `VerifierFuzzGenerator` is loaded on both, and their verdicts (loaded, or refused with an
/// errno) must be the same. Disagreements are grouped by the kernel's log line and the embedded
/// message, each group printed with one program's listing. A fixed seed and 300 programs by
/// default; `VFUZZ_PROGRAMS` and `VFUZZ_SEED` for campaigns, `VFUZZ_ALL=1` to print every program
/// of a group, `VFUZZ_ERRNO=0` to count only accept/refuse disagreements, `VFUZZ_REASONS=1` to
/// print how often the kernel refused for each reason.
struct VerifierDifferentialFuzzTests {
    struct Verdict: Equatable {
        let errno: LinuxErrno?
        let message: String
        var loaded: Bool { errno == nil }
    }

    static func setting(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Two maps on a backend, as the generator expects: an array (key 4, value 48), a hash (8, 16).
    static func maps(on system: some BPFObjectSystem) throws -> [Handle] {
        [try system.createMap(MapSpec(name: "vfuzz_array", type: .array, keySize: 4,
                                      valueSize: UInt32(VerifierFuzzGenerator.arrayValueSize), maxEntries: 4)),
         try system.createMap(MapSpec(name: "vfuzz_hash", type: .hash, keySize: 8,
                                      valueSize: UInt32(VerifierFuzzGenerator.hashValueSize), maxEntries: 4))]
    }

    static func verdict(of program: FuzzProgram, on system: some BPFObjectSystem, maps: [Handle],
                        close: (Handle) -> Void) -> Verdict {
        let spec = ProgramSpec(name: "vfuzz", type: program.type, instructions: Instruction.encode(program.instructions))
        do {
            let handle = try system.loadProgram(spec, maps: maps)
            close(handle)
            return Verdict(errno: nil, message: "loaded")
        } catch {
            return Verdict(errno: error.errno, message: error.reason)
        }
    }

    /// The line of the kernel's log that says why (the last lines end with the counts), its
    /// numbers replaced so that one rule is one bucket.
    static func kernelReason(_ reason: String) -> String {
        let inLog = reason.components(separatedBy: "verifier: ").dropFirst().joined(separator: "verifier: ")
        let lines = inLog.components(separatedBy: " | ").filter {
            !$0.hasPrefix("processed ") && !$0.hasPrefix("verification time") && !$0.hasPrefix("stack depth")
        }
        return generalised(lines.last ?? reason)
    }

    static func generalised(_ text: String) -> String {
        var out = ""
        var inNumber = false
        for character in text {
            if character.isNumber || (inNumber && (character == "x" || character.isHexDigit)) {
                if !inNumber { out.append("#") }
                inNumber = true
            } else {
                inNumber = false
                out.append(character)
            }
        }
        return String(out.prefix(110))
    }

    @Test(.enabled(if: KernelTestSupport.canUseKernel))
    func generatedProgramsGetTheKernelsVerdict() throws {
        let count = Self.setting("VFUZZ_PROGRAMS").flatMap { Int($0) } ?? 300
        let seed = Self.setting("VFUZZ_SEED").flatMap { UInt64($0) } ?? 0x5eed_0012
        let printAll = Self.setting("VFUZZ_ALL") == "1"
        let compareErrno = Self.setting("VFUZZ_ERRNO") != "0"
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        let embedded = EmbeddedSystem()
        defer { embedded.shutdown() }
        let kernelMaps = try Self.maps(on: kernel)
        let embeddedMaps = try Self.maps(on: embedded)
        var generator = VerifierFuzzGenerator(seed: seed)
        var buckets: [String: [(FuzzProgram, Verdict, Verdict)]] = [:]
        var refusedByKernel = 0, agreeing = 0
        var kernelReasons: [String: Int] = [:]
        for _ in 0 ..< count {
            let program = generator.program()
            let onKernel = Self.verdict(of: program, on: kernel, maps: kernelMaps) { try? kernel.close($0) }
            let onEmbedded = Self.verdict(of: program, on: embedded, maps: embeddedMaps) { try? embedded.close($0) }
            if !onKernel.loaded {
                refusedByKernel += 1
                kernelReasons[Self.kernelReason(onKernel.message), default: 0] += 1
            }
            let same = compareErrno ? onKernel.errno == onEmbedded.errno : onKernel.loaded == onEmbedded.loaded
            if same { agreeing += 1; continue }
            let kind = onEmbedded.loaded ? "FALSE ACCEPT" : (onKernel.loaded ? "FALSE REFUSAL" : "ERRNO")
            let key = "\(kind) | kernel \(onKernel.errno?.name ?? "loaded"): \(Self.kernelReason(onKernel.message))"
                + " | embedded \(onEmbedded.errno?.name ?? "loaded"): \(Self.generalised(onEmbedded.message))"
            buckets[key, default: []].append((program, onKernel, onEmbedded))
        }
        print("vfuzz seed \(seed): \(count) programs, \(refusedByKernel) refused by the kernel, \(agreeing) agree, "
              + "\(count - agreeing) disagree in \(buckets.count) buckets")
        if Self.setting("VFUZZ_REASONS") == "1" {
            for (reason, n) in kernelReasons.sorted(by: { $0.value > $1.value }) { print("  kernel refused \(n)×: \(reason)") }
        }
        for (key, members) in buckets.sorted(by: { $0.value.count > $1.value.count }) {
            print("== \(members.count)× \(key)")
            for (program, onKernel, onEmbedded) in printAll ? members[...] : members.prefix(1) {
                print("  \(program.type == .socketFilter ? "socket" : "tc") shapes: \(program.shapes.joined(separator: " "))")
                print("  kernel: \(onKernel.errno?.name ?? "loaded") \(onKernel.message)")
                print("  embedded: \(onEmbedded.errno?.name ?? "loaded") \(onEmbedded.message)")
                print(Disassembler.listing(program.instructions).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            }
        }
        let disagreements = buckets.values.reduce(0) { $0 + $1.count }
        #expect(disagreements == 0, "\(disagreements) of \(count) programs got another verdict than the kernel's")
    }
}
