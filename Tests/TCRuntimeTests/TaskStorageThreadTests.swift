import BPFCore
import BPFMaps
import Foundation
import Synchronization
import Testing
import TCRuntime

/// Task storage on the embedded runtime: the task is the thread that runs the program, its
/// storage goes when the thread exits (as the kernel frees it with the task), and the task
/// pointer bpf_get_current_task_btf gives reads zeros (`KernelTaskImages`) but for the walk to
/// its cgroup.
@Suite struct TaskStorageThreadTests {
    static let packet = [UInt8](repeating: 0, count: 14)

    static func map() throws -> TaskStorageMap {
        var spec = MapSpec(name: "tasks", type: .taskStorage, keySize: 4, valueSize: 8, maxEntries: 0, flags: MapFlags.noPrealloc)
        spec.btfKeyTypeID = 1
        spec.btfValueTypeID = 2
        return try #require(try BPFMap.create(spec, possibleCPUs: 1) as? TaskStorageMap)
    }

    /// Gets (creating) the running task's storage, bumps its counter, returns the thread id
    /// (get_current_pid_tgid's low half).
    static func program(_ map: BPFMap) throws -> TCProgram {
        try TCProgram(instructions: [Asm.call(158), Asm.movReg(6, 0)] + Asm.lddw(1, src: 5, 0) + [
            Asm.movReg(2, 6), Asm.mov(3, 0), Asm.mov(4, 1), Asm.call(156),
            Asm.jeq(0, 0, 3), Asm.load(8, 1, 0, 0), Asm.add(1, 1), Asm.store(8, 0, 0, 1),
            Asm.call(14), Asm.exit,
        ], maps: [map])
    }

    static func counter(_ map: TaskStorageMap, _ thread: UInt64) -> UInt64? {
        map.storage(ofOwner: thread)?.load(as: UInt64.self)
    }

    @Test func storageLivesWithItsThread() throws {
        let map = try Self.map()
        let program = try Self.program(map)
        let here = UInt64(try TCTestRun.run(program, packet: Self.packet).returnValue)
        _ = try TCTestRun.run(program, packet: Self.packet)
        #expect(Self.counter(map, here) == 2)

        let seen = Mutex<UInt64?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let tid = try? TCTestRun.run(program, packet: Self.packet).returnValue
            seen.withLock { $0 = tid.map(UInt64.init) }
            done.signal()
        }
        thread.start()
        done.wait()
        let other = try #require(seen.withLock { $0 })
        #expect(other != here)
        // The thread's exit (after the signal) frees its storage; this thread's stays.
        var freed = false
        for _ in 0..<200 where !freed {
            freed = map.storage(ofOwner: other) == nil
            if !freed { usleep(5_000) }
        }
        #expect(freed)
        #expect(Self.counter(map, here) == 2)
    }

    /// The verifier types the task pointer as a `task_struct` (from the target BTF), so a field
    /// read through it is a probe load: 0 here (the image holds zeros there), not a fault.
    @Test func aFieldOfTheTaskReadsZero() throws {
        let program = try TCProgram(instructions: [Asm.call(158), Asm.load(8, 0, 0, 0), Asm.exit])
        #expect(try TCTestRun.run(program, packet: Self.packet).returnValue == 0)
    }
}
