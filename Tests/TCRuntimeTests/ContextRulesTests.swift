import BPFCore
import BPFVM
import Foundation
import TCRuntime
import Testing

/// The kernel's verdict on every aligned __sk_buff access (Tests/Fixtures/tc-runtime/
/// record_ctx_rules.py, recorded at load time on Linux 6.18) against the VM's at run time:
/// an access the kernel refuses must fault, one it accepts must run.
@Suite struct ContextRulesTests {
    struct Access: CustomTestStringConvertible, Sendable {
        let offset: Int16, size: Int, write: Bool, kernelAccepts: Bool
        var testDescription: String { "\(write ? "store" : "load") \(size)@\(offset)" }
    }

    static let accesses: [Access] = {
        guard let text = try? String(contentsOf: Fixtures.directory.appendingPathComponent("ctx_rules.txt"), encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            return Access(offset: Int16(f[0])!, size: Int(f[1])!, write: f[2] == "w", kernelAccepts: f[3] == "1")
        }
    }()

    /// Why loading `instructions` fails, nil when it loads.
    static func refusal(_ instructions: [Instruction]) -> String? {
        do {
            _ = try TCProgram(instructions: instructions)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func everyAccessIsRecorded() { #expect(Self.accesses.count == 720) }

    @Test(arguments: accesses)
    func sameVerdictAsKernel(_ a: Access) throws {
        let body = a.write
            ? [Asm.mov(2, 0), Asm.store(a.size, 1, a.offset, 2)]
            : [Asm.load(a.size, 0, 1, a.offset)]
        // Through the context pointer itself, the verdict comes at load, as the kernel's does.
        let instructions = body + [Asm.mov(0, 0), Asm.exit]
        if let refusal = Self.refusal(instructions) {
            #expect(!a.kernelAccepts, "refused at load, the kernel accepts it: \(refusal)")
            #expect(refusal.contains("invalid bpf_context access"))
            return
        }
        #expect(a.kernelAccepts, "loaded, the kernel refuses it")
        #expect(Self.runs(try TCProgram(instructions: instructions)) == a.kernelAccepts)
    }

    /// Whether a test-run of `program` ends without a fault.
    static func runs(_ program: TCProgram) -> Bool {
        let packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5] + [UInt8](repeating: 0, count: 50)
        do {
            _ = try TCTestRun.run(program, packet: packet)
            return true
        } catch {
            return false
        }
    }

    /// Through a copy of the context pointer that is the context only on some paths, the path
    /// on which it is the context stores to `len`, which the kernel refuses at load.
    @Test func aMaybeContextPointerIsCheckedOnEveryPath() {
        let refusal = Self.refusal([
            Asm.mov(3, 0), Asm.load(4, 2, 1, Int16(SKBField.len)), Asm.jeq(2, 0, 1), Asm.movReg(3, 1),
            Asm.mov(2, 0), Asm.jeq(3, 0, 1), Asm.store(4, 3, 0, 2), Asm.mov(0, 0), Asm.exit,
        ])
        #expect(refusal == "insn 6: invalid bpf_context access off=0 size=4")
    }

    /// The kernel refuses any access through a moved context pointer ("dereference of modified
    /// ctx ptr"), the packet-pointer fields included.
    @Test func packetPointerThroughMovedContextIsRefused() {
        let refusal = Self.refusal([Asm.add(1, 4), Asm.load(4, 0, 1, 72), Asm.exit])
        #expect(refusal == "insn 1: dereference of modified ctx ptr R1 off=4 disallowed")
    }

    /// A 16-bit field keeps the low half of a store; a queue mapping of 0xffff or more is ignored.
    @Test func storesKeepWhatTheKernelKeeps() throws {
        let program = try TCProgram(instructions: [
            Asm.mov(2, 0x12345), Asm.store(4, 1, Int16(SKBField.tcIndex), 2),
            Asm.mov(2, 7), Asm.store(4, 1, Int16(SKBField.queueMapping), 2),
            Asm.mov(2, 0xffff), Asm.store(4, 1, Int16(SKBField.queueMapping), 2),
            Asm.load(4, 0, 1, Int16(SKBField.tcIndex)), Asm.mul(0, 0x10000),
            Asm.load(4, 3, 1, Int16(SKBField.queueMapping)), Asm.addReg(0, 3), Asm.exit,
        ])
        let result = try TCTestRun.run(program, packet: [UInt8](repeating: 0, count: 60))
        #expect(result.returnValue == 0x2345_0007)
        #expect(result.metadata.tcIndex == 0x2345 && result.metadata.queueMapping == 7)
    }
}
