import BPFCore
@testable import BPFVM
import Foundation
import Testing

/// The JIT's code pages: executable, never writable at the same time.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITCodeMemoryTests {
    /// The permissions of the mapping holding `address`, as /proc/self/maps prints them.
    static func permissions(of address: UInt64) throws -> String? {
        // Read to the end: procfs files report a size of 0.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        defer { try? file.close() }
        let maps = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let low = UInt64(range[0], radix: 16), let high = UInt64(range[1], radix: 16) else { continue }
            if address >= low && address < high { return String(fields[1]) }
        }
        return nil
    }

    @Test func codeIsReadExecuteOnly() throws {
        var options = VerifierOptions()
        options.executor = .jit
        let program = try VMProgram(instructions: [Asm.mov(0, 42), Asm.exit], options: options)
        let native = try #require(program.native)
        let permissions = try Self.permissions(of: native.bodyAddress)
        #expect(permissions == "r-xp", "\(String(describing: permissions))")
        var context = [UInt8](repeating: 0, count: 8)
        #expect(try context.withUnsafeMutableBytes { try JITExecutor.run(program, context: $0) } == 42)
    }

    @Test func programsTooLargeToCompileRunOnTheInterpreter() throws {
        var options = VerifierOptions()
        options.executor = .jit
        let body = [Instruction](repeating: Asm.add(0, 1), count: JITCompiler.maxOperations)
        let program = try VMProgram(instructions: [Asm.mov(0, 0)] + body + [Asm.exit], options: options)
        #expect(!program.isCompiled)
        var context = [UInt8](repeating: 0, count: 8)
        #expect(try context.withUnsafeMutableBytes { try JITExecutor.run(program, context: $0) } == UInt64(JITCompiler.maxOperations))
    }

    @Test func interpreterLoadsCarryNoCode() throws {
        var options = VerifierOptions()
        options.executor = .interpreter
        let program = try VMProgram(instructions: [Asm.mov(0, 42), Asm.exit], options: options)
        #expect(!program.isCompiled)
        var context = [UInt8](repeating: 0, count: 8)
        #expect(try context.withUnsafeMutableBytes { try JITExecutor.run(program, context: $0) } == 42)
    }
}
