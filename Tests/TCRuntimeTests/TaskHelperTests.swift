import BPFCore
import BPFVM
import Foundation
import Glibc
import TCRuntime
import Testing

/// The task and clock helpers on the embedded backend answer for this process, as the kernel
/// answers for the test-run caller.
@Suite struct TaskHelperTests {
    static let packet = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0, count: 50)

    static func value(_ instructions: [Instruction]) throws -> UInt64 {
        // r0's high half comes back through the packet: store r0 at data+16 via skb_store_bytes.
        let program = try TCProgram(instructions: instructions + [
            Asm.store(8, 10, -8, 0),
            Asm.movReg(1, 6), Asm.mov(2, 16), Asm.movReg(3, 10), Asm.add(3, -8), Asm.mov(4, 8), Asm.mov(5, 0), Asm.call(9),
            Asm.mov(0, 0), Asm.exit,
        ])
        let out = try TCTestRun.run(program, packet: packet).packet
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(out[16 + $1]) << (8 * $1) }
    }

    @Test func pidAndIds() throws {
        let pidTgid = try Self.value([Asm.movReg(6, 1), Asm.call(14)])
        #expect(pidTgid >> 32 == UInt64(getpid()))
        let uidGid = try Self.value([Asm.movReg(6, 1), Asm.call(15)])
        #expect(uidGid & 0xffff_ffff == UInt64(getuid()))
        #expect(uidGid >> 32 == UInt64(getgid()))
    }

    /// bpf_get_current_task gives a kernel-looking address, the same for every call on one
    /// thread and another on another thread (a task is a thread); reading through it fails with
    /// -EFAULT rather than reaching any memory of this process.
    @Test func currentTaskIsAnAddressThatReachesNothing() throws {
        let task = try Self.value([Asm.movReg(6, 1), Asm.call(35)])
        #expect(task >> 44 == 0xffff8)
        #expect(try Self.value([Asm.movReg(6, 1), Asm.call(35)]) == task)
        final class Box: @unchecked Sendable { var value: UInt64? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        Thread { box.value = try? Self.value([Asm.movReg(6, 1), Asm.call(35)]); done.signal() }.start()
        done.wait()
        #expect(box.value != nil && box.value != task)
        let read = try Self.value([Asm.movReg(6, 1), Asm.call(35), Asm.movReg(3, 0), Asm.movReg(1, 10), Asm.add(1, -16),
                                   Asm.mov(2, 8), Asm.call(113)])
        #expect(read == UInt64(bitPattern: -14))
    }

    /// The cgroup id is the inode of this process's cgroup v2 directory; level 0 is the root.
    @Test func cgroupIDs() throws {
        let id = try Self.value([Asm.movReg(6, 1), Asm.call(80)])
        let root = try Self.value([Asm.movReg(6, 1), Asm.mov(1, 0), Asm.call(123)])
        var info = stat()
        if stat("/sys/fs/cgroup", &info) == 0 {
            #expect(root == UInt64(info.st_ino))
            #expect(id != 0)
        }
        #expect(try Self.value([Asm.movReg(6, 1), Asm.mov(1, 1000), Asm.call(123)]) == 0)
        // A test-run skb has the caller's socket: its cgroup is the caller's.
        #expect(try Self.value([Asm.movReg(6, 1), Asm.call(79)]) == id)
    }

    /// get_ns_current_pid_tgid with this process's pid namespace fills pid and tgid; another
    /// (dev, ino) or size is EINVAL with the buffer cleared.
    @Test func namespacePid() throws {
        var info = stat()
        guard stat("/proc/self/ns/pid", &info) == 0 else { return }
        let call = { (dev: UInt64, ino: UInt64, size: Int32) in
            Asm.lddw(1, Int32(bitPattern: UInt32(truncatingIfNeeded: dev)), high: Int32(bitPattern: UInt32(truncatingIfNeeded: dev >> 32)))
                + Asm.lddw(2, Int32(bitPattern: UInt32(truncatingIfNeeded: ino)), high: Int32(bitPattern: UInt32(truncatingIfNeeded: ino >> 32)))
                + [Asm.movReg(3, 10), Asm.add(3, -16), Asm.mov(4, size), Asm.call(120), Asm.load(8, 0, 10, -16)]
        }
        let filled = try Self.value([Asm.movReg(6, 1), Asm.storeImm(8, 10, -16, 0)] + call(UInt64(info.st_dev), UInt64(info.st_ino), 8))
        #expect(filled >> 32 == UInt64(getpid()))
        let refused = try Self.value([Asm.movReg(6, 1), Asm.storeImm(8, 10, -16, -1)] + call(UInt64(info.st_dev), UInt64(info.st_ino) + 1, 8))
        #expect(refused == 0)
    }

    /// The clocks move forward; TAI is ahead of monotonic time by the Unix epoch at least.
    @Test func clocks() throws {
        let tai = try Self.value([Asm.movReg(6, 1), Asm.call(208)])
        #expect(tai > 1_600_000_000 * 1_000_000_000)
        let coarse = try Self.value([Asm.movReg(6, 1), Asm.call(160)])
        #expect(coarse > 0 && coarse < tai)
        let first = try Self.value([Asm.movReg(6, 1), Asm.call(118)])
        let second = try Self.value([Asm.movReg(6, 1), Asm.call(118)])
        #expect(second >= first)
    }
}
