import BPFCore
import Glibc
import SwiftTCX
import Testing

/// BPF timers firing (corpus/maps/timer.c) on every backend this machine has, against one
/// transcript recorded on Linux 6.18: callbacks run after the program returned with the map,
/// the key and the value; a callback cancelling its own timer gets EDEADLK, restarting it
/// works; BPF_F_TIMER_ABS; an update or delete of the element and the close of the map's last
/// userspace descriptor cancel a pending timer. Return codes without firing are timer.tcx's.
@Suite(.serialized) struct BPFTimerTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/timer.o")

    /// A request of timer.c: OP = action | map << 8.
    static func packet(_ op: UInt32, key: UInt32, value: UInt64 = 0, flags: UInt64 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5]
        bytes += withUnsafeBytes(of: op.littleEndian) { [UInt8]($0) } + withUnsafeBytes(of: key.littleEndian) { [UInt8]($0) }
        bytes += withUnsafeBytes(of: value.littleEndian) { [UInt8]($0) } + withUnsafeBytes(of: flags.littleEndian) { [UInt8]($0) }
        return bytes + [UInt8](repeating: 0, count: 22)
    }

    static func int64(_ bytes: ArraySlice<UInt8>) -> Int64 {
        Int64(bitPattern: bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// The helper's result as a number or an errno name.
    static func result(_ program: borrowing Program, _ op: UInt32, key: UInt32, value: UInt64 = 0,
                       flags: UInt64 = 0) throws(TCXError) -> (String, Int64) {
        let out = try program.testRun(packet: packet(op, key: key, value: value, flags: flags)).packetOut
        let answer = int64(out.dropFirst(38))
        let text = answer < 0 && answer > -4096 ? LinuxErrno(rawValue: Int32(-answer)).name : "\(answer)"
        return (text, int64(out.dropFirst(46)))
    }

    /// The element's fields as userspace reads them: fires, the timer's 16 bytes, what the
    /// callback's own cancel answered, the key it saw, restarts left.
    static func element(_ map: borrowing Map, key: UInt32) throws(TCXError) -> String {
        guard let value = try map.lookup(withUnsafeBytes(of: key) { [UInt8]($0) }), value.count == 40 else { return "none" }
        let timerBytes = value[8..<24].allSatisfy { $0 == 0 } ? "zero" : "set"
        let cancel = int64(value.dropFirst(24))
        let cancelText = cancel < 0 ? LinuxErrno(rawValue: Int32(-cancel)).name : "\(cancel)"
        let key = value[32..<36].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let restarts = value[36..<40].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return "fired=\(int64(value[0..<8])) timer=\(timerBytes) own_cancel=\(cancelText) key=\(key) restarts=\(restarts)"
    }

    /// Polls `map`'s element until its fire count reaches `count` (timers fire asynchronously
    /// on both backends), at most two seconds.
    static func waitForFires(_ map: borrowing Map, key: UInt32, count: Int64) throws(TCXError) {
        for _ in 0..<400 {
            if let value = try map.lookup(withUnsafeBytes(of: key) { [UInt8]($0) }), int64(value[0..<8]) >= count { return }
            usleep(5_000)
        }
    }

    static func transcript(_ world: any BPFObjectSystem) throws -> [String] {
        var out: [String] = []
        let collection = try ObjectCollection(file: object, in: world)
        let program = try collection.program("timers")
        let array = try collection.map("timer_array")
        let hash = try collection.map("timer_hash")
        let lru = try collection.map("timer_lru")
        let zero = [UInt8](repeating: 0, count: 40)
        func step(_ label: String, _ op: UInt32, key: UInt32, value: UInt64 = 0, flags: UInt64 = 0) throws {
            out.append("\(label): \(try result(program, op, key: key, value: value, flags: flags).0)")
        }
        // Array element 1: one fire 1 ms on; the callback's own cancel is EDEADLK.
        try step("init", 0, key: 1, value: 1)
        try step("callback", 1, key: 1)
        try step("start", 2, key: 1, value: 1_000_000)
        try waitForFires(array, key: 1, count: 1)
        out.append("array 1: \(try element(array, key: 1))")
        // The callback is kept after it ran: the timer starts again without a new one.
        try step("start again", 2, key: 1, value: 1_000_000)
        try waitForFires(array, key: 1, count: 2)
        out.append("array 1: \(try element(array, key: 1))")
        // The callback restarts its timer three times.
        try step("init 2", 0, key: 2, value: 1)
        try step("callback 2", 1, key: 2)
        try step("restarts", 4, key: 2, value: 3)
        try step("start 2", 2, key: 2, value: 1_000_000)
        try waitForFires(array, key: 2, count: 4)
        usleep(50_000)
        out.append("array 2: \(try element(array, key: 2))")
        // BPF_F_TIMER_ABS: 2 ms from now on CLOCK_MONOTONIC.
        try step("init 3", 0, key: 3, value: 1)
        try step("callback 3", 1, key: 3)
        try step("start 3 abs", 2, key: 3, value: 2_000_000, flags: 1)
        try waitForFires(array, key: 3, count: 1)
        out.append("array 3: \(try element(array, key: 3))")
        // A hash element on CLOCK_BOOTTIME and an LRU element on CLOCK_REALTIME see their keys.
        try hash.update([7, 0, 0, 0], to: zero)
        try step("hash init", 0x100, key: 7, value: 7)
        try step("hash callback", 0x101, key: 7)
        try step("hash start", 0x102, key: 7, value: 1_000_000)
        try waitForFires(hash, key: 7, count: 1)
        out.append("hash 7: \(try element(hash, key: 7))")
        try lru.update([9, 0, 0, 0], to: zero)
        try step("lru init", 0x200, key: 9, value: 0)
        try step("lru callback", 0x201, key: 9)
        try step("lru start", 0x202, key: 9, value: 1_000_000)
        try waitForFires(lru, key: 9, count: 1)
        out.append("lru 9: \(try element(lru, key: 9))")
        // Pending timers that an update or a delete cancel never fire.
        let before = try result(program, 5, key: 0).1
        try step("init 0", 0, key: 0, value: 1)
        try step("callback 0", 1, key: 0)
        try step("start 0", 2, key: 0, value: 100_000_000)
        try array.update([0, 0, 0, 0], to: zero)
        try hash.update([6, 0, 0, 0], to: zero)
        try step("hash 6 init", 0x100, key: 6, value: 1)
        try step("hash 6 callback", 0x101, key: 6)
        try step("hash 6 start", 0x102, key: 6, value: 100_000_000)
        try hash.delete([6, 0, 0, 0])
        // The control: a timer nothing cancels fires in the same window.
        try step("start 1", 2, key: 1, value: 100_000_000)
        usleep(300_000)
        out.append("fires after update and delete: \(try result(program, 5, key: 0).1 - before)")
        out.append("array 0: \(try element(array, key: 0))")
        return out
    }

    /// The map's last userspace descriptor closing cancels its pending timers; a new init is
    /// then EPERM, as the program alone holds the map. The control keeps one descriptor.
    static func lastDescriptor(_ world: any BPFObjectSystem, keepOne: Bool) throws -> [String] {
        var out: [String] = []
        let program: Program
        let kept: Handle?
        do {
            let collection = try ObjectCollection(file: object, in: world)
            program = try collection.program("timers")
            kept = keepOne ? try collection.map("timer_array").relinquish() : nil
            for (label, op) in [("init", UInt32(0)), ("callback", 1)] {
                out.append("\(label): \(try result(program, op, key: 1, value: 1).0)")
            }
            out.append("start: \(try result(program, 2, key: 1, value: 100_000_000).0)")
        }
        usleep(300_000)
        out.append("fires: \(try result(program, 5, key: 0).1)")
        out.append("init another: \(try result(program, 0, key: 2, value: 1).0)")
        if let kept { try world.close(kept) }
        return out
    }

    /// The embedded backend's known difference (docs/tc-runtime.md, "BPF timers"): a timer whose
    /// program is closed no longer fires, where the kernel's timer keeps the program (and so the
    /// maps it writes directly, here its `.bss`) alive. A callback run after the close would
    /// write memory the program's maps no longer own.
    @Test func aTimerOfAClosedProgramNoLongerFires() throws {
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let array: Handle
        do {
            let collection = try ObjectCollection(file: Self.object, in: world)
            let program = try collection.program("timers")
            array = try collection.map("timer_array").relinquish()
            for op: UInt32 in [0, 1] { #expect(try Self.result(program, op, key: 1, value: 1).0 == "0") }
            #expect(try Self.result(program, 2, key: 1, value: 100_000_000).0 == "0")
        }
        usleep(300_000)
        let map = Map(adopting: array, in: world)
        #expect(try Self.element(map, key: 1).hasPrefix("fired=0 "))
    }

    @Test(arguments: backends) func callbacksFireAsTheKernels(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        #expect(try Self.transcript(world) == Self.recorded)
    }

    @Test(arguments: backends) func closingTheLastDescriptorCancels(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        #expect(try Self.lastDescriptor(world, keepOne: false) == Self.recordedClose)
        #expect(try Self.lastDescriptor(world, keepOne: true) == Self.recordedKept)
    }

    static let recorded: [String] = [
        "init: 0", "callback: 0", "start: 0",
        "array 1: fired=1 timer=zero own_cancel=EDEADLK key=1 restarts=0",
        "start again: 0",
        "array 1: fired=2 timer=zero own_cancel=EDEADLK key=1 restarts=0",
        "init 2: 0", "callback 2: 0", "restarts: 0", "start 2: 0",
        "array 2: fired=4 timer=zero own_cancel=EDEADLK key=2 restarts=0",
        "init 3: 0", "callback 3: 0", "start 3 abs: 0",
        "array 3: fired=1 timer=zero own_cancel=EDEADLK key=3 restarts=0",
        "hash init: 0", "hash callback: 0", "hash start: 0",
        "hash 7: fired=1 timer=zero own_cancel=EDEADLK key=7 restarts=0",
        "lru init: 0", "lru callback: 0", "lru start: 0",
        "lru 9: fired=1 timer=zero own_cancel=EDEADLK key=9 restarts=0",
        "init 0: 0", "callback 0: 0", "start 0: 0",
        "hash 6 init: 0", "hash 6 callback: 0", "hash 6 start: 0", "start 1: 0",
        "fires after update and delete: 1",
        "array 0: fired=0 timer=zero own_cancel=0 key=0 restarts=0",
    ]
    static let recordedClose: [String] = ["init: 0", "callback: 0", "start: 0", "fires: 0", "init another: EPERM"]
    static let recordedKept: [String] = ["init: 0", "callback: 0", "start: 0", "fires: 1", "init another: 0"]
}
