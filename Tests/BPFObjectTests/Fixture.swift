import BPFCore
@testable import BPFObject
import Glibc

/// The committed fixture objects in Tests/Fixtures/objects, read without a compiler.
enum Fixture {
    static let directory: String = {
        let this = "\(#filePath)"
        let tests = this.split(separator: "/", omittingEmptySubsequences: false).dropLast(2).joined(separator: "/")
        return tests + "/Fixtures/objects"
    }()

    static let all = ["btf_maps.o", "legacy_maps.o", "globals.o", "subprogs.o", "sections.o", "strings.o"]

    static func bytes(_ name: String) -> [UInt8] {
        guard let file = fopen(directory + "/" + name, "rb") else { fatalError("missing fixture \(name)") }
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

    static func parse(_ name: String) throws(ObjectError) -> ObjectSpec {
        try ObjectSpec.parse(bytes: bytes(name), name: name)
    }

    /// The error a fixture is refused with, or nil if it parses.
    static func refusal(_ bytes: [UInt8], name: String = "x.o") -> ObjectError? {
        do {
            _ = try ObjectSpec.parse(bytes: bytes, name: name)
            return nil
        } catch {
            return error
        }
    }
}

extension ObjectProgram {
    /// (index, instruction) of every ld_imm64 with this pseudo source.
    func loads(_ source: PseudoSource) -> [(index: Int, first: Instruction, second: Instruction)] {
        let code = decodedInstructions
        return code.indices.dropLast().compactMap { i in
            code[i].opcode == 0x18 && code[i].src == source.rawValue ? (i, code[i], code[i + 1]) : nil
        }
    }

    /// Index and immediate of every bpf-to-bpf call.
    var localCalls: [(index: Int, imm: Int32)] {
        decodedInstructions.enumerated().compactMap { i, insn in
            insn.opcode == 0x85 && insn.src == 1 ? (i, insn.imm) : nil
        }
    }
}
