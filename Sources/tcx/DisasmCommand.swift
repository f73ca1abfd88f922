import ArgumentParser
import BPFCore

/// `tcx disasm`: raw eBPF bytecode to llvm-objdump's BPF syntax.
struct DisasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disasm",
        abstract: "Disassemble raw eBPF bytecode (8 bytes per instruction, little-endian).",
        discussion: "Reads FILE, or standard input without one. Prints index, bytes and instruction like `llvm-objdump -d`.")

    @Argument(help: "A file of raw bytecode; standard input when absent.") var file: String?
    @Flag(help: "The input is hex text (`b7 00 00 00 01 00 00 00 ...`) instead of raw bytes.") var hex = false
    @Flag(help: "Print only the instructions, without index and bytes.") var noRaw = false

    func run() throws {
        let data = try FileBytes.read(file ?? "-", .bytecode)
        let bytes = hex ? try hexBytes(String(decoding: data, as: UTF8.self)) : data
        guard let program = Instruction.decode(bytes) else {
            throw ValidationError("\(bytes.count) bytes is not a whole number of 8-byte instructions")
        }
        if noRaw {
            for line in Disassembler.disassemble(program) { print(line.text) }
        } else {
            print(Disassembler.listing(program), terminator: "")
        }
    }
}
