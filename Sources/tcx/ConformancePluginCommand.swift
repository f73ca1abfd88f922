import ArgumentParser
import BPFVM
import Foundation

/// `tcx conformance-plugin`: the bpf_conformance plugin protocol. The program arrives on
/// standard input, r0 leaves in hex on standard output.
struct ConformancePluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance-plugin",
        abstract: "Run one eBPF program for the bpf_conformance suite's runner.",
        discussion: """
            Reads the program from standard input (raw bytes, or the same as hex text), points r1 at \
            MEMORY_HEX and puts its length in r2, prints r0 in hex. A refused or faulting program \
            prints the reason on standard error and exits 1. Helper 5 is the suite's `unwind`. \
            TCX_VM_EXECUTOR=jit runs the program on the JIT (x86-64 Linux), =interpreter on the interpreter.
            """)

    @Argument(help: "The memory block r1 points at, as hex bytes.") var memory: String = ""
    @Flag(help: "The input is an ELF object (not supported: the suite sends raw bytecode).") var elf = false
    @Argument(parsing: .allUnrecognized, help: .hidden) var otherOptions: [String] = []

    func run() throws {
        if elf { throw failure("ELF input is not supported; send raw bytecode") }
        var context = try hexBytes(memory)
        let input: [UInt8]
        do { input = try FileBytes.read("-", .bytecode) } catch { throw failure(error.description) }
        let program = (try? hexBytes(String(decoding: input, as: UTF8.self))) ?? input
        var options = VerifierOptions()
        options.initializedRegisters = [1, 2]
        options.helpers.register(5, name: "unwind") { call in
            if call.r1 == 0 { call.exitProgram = true }
            return call.r1
        }
        let result: Result<UInt64, any Error> = context.withUnsafeMutableBytes { mem in
            do {
                let loaded = try VMProgram(bytes: program, options: options)
                return .success(try ExecutorKind.selected.executor.run(loaded, context: mem, packet: nil,
                                                                       environment: RunEnvironment(), r2: UInt64(mem.count)))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let r0): print(String(r0, radix: 16))
        case .failure(let error): throw failure("\(error)")
        }
    }

    private func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode(1)
    }
}

/// Hex text to bytes; whitespace between bytes is allowed.
func hexBytes(_ text: String) throws -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    guard digits.count % 2 == 0 else { throw ValidationError("odd number of hex digits") }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        guard let byte = UInt8(digits[index..<next], radix: 16) else {
            throw ValidationError("not hex: \(digits[index..<next])")
        }
        bytes.append(byte)
        index = next
    }
    return bytes
}
