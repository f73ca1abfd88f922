import BPFCore
import Synchronization
import SwiftTCX
import TCX
import Testing

/// USER_RINGBUF maps and bpf_user_ringbuf_drain (corpus/maps/user_ringbuf.c) on every backend
/// this machine has, against one transcript recorded on Linux 6.18: samples userspace
/// produces through `UserRingBuffer` (mmap'd on the kernel) reach the program's callback as
/// dynptrs, in order; a busy record stops the drain, a discarded one is skipped; a callback
/// returning 1 stops it; a drain inside a drain is EBUSY; unknown flags EINVAL; records
/// userspace corrupted EINVAL or E2BIG; the producer's own E2BIG and ENOSPC.
@Suite struct UserRingBufferTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/user_ringbuf.o")

    static func int64(_ bytes: ArraySlice<UInt8>) -> Int64 {
        Int64(bitPattern: bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    static func name(_ value: Int64) -> String {
        value < 0 && value > -4096 ? LinuxErrno(rawValue: Int32(-value)).name : "\(value)"
    }

    /// One drain: its result, then samples, bytes and sum the callback saw, and the nested
    /// drain's result.
    static func drain(_ program: borrowing Program, op: UInt32 = 0, flags: UInt64 = 0) throws(TCXError) -> String {
        var packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5]
        packet += withUnsafeBytes(of: op.littleEndian) { [UInt8]($0) } + [UInt8](repeating: 0, count: 12)
        packet += withUnsafeBytes(of: flags.littleEndian) { [UInt8]($0) }
        packet += [UInt8](repeating: 0, count: 96 - packet.count)
        let out = try program.testRun(packet: packet).packetOut
        return "\(name(int64(out.dropFirst(38)))) samples=\(int64(out.dropFirst(54))) bytes=\(int64(out.dropFirst(62)))"
            + " sum=\(int64(out.dropFirst(70))) nested=\(name(int64(out.dropFirst(78))))"
    }

    static func bytes(_ value: UInt64, extra: Int = 0) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { [UInt8]($0) } + [UInt8](repeating: 0xee, count: extra)
    }

    static func transcript(_ world: any BPFObjectSystem) throws -> [String] {
        var out: [String] = []
        let collection = try ObjectCollection(file: object, in: world)
        let program = try collection.program("drain")
        let map = try collection.map("samples")
        func record(_ label: String, _ body: () throws(TCXError) -> String) {
            do throws(TCXError) { out.append("\(label): \(try body())") } catch { out.append("\(label): \(error.errno.name)") }
        }
        for (label, max, key, flags) in [("create", UInt32(4096), UInt32(0), UInt32(0)), ("create max 0", 0, 0, 0),
                                         ("create 1000 bytes", 1000, 0, 0), ("create 8192 bytes", 8192, 0, 0),
                                         ("create key 4", 4096, 4, 0), ("create numa", 4096, 0, 0x4),
                                         ("create mmapable", 4096, 0, 0x400), ("create rdonly_prog", 4096, 0, 0x80)] {
            record(label) { () throws(TCXError) in
                let spec = MapSpec(name: "urb", type: .userRingbuf, keySize: key, valueSize: 0, maxEntries: max, flags: flags)
                try world.close(try world.createMap(spec))
                return "ok"
            }
        }
        record("info") { () throws(TCXError) in let i = try map.info; return "\(i.type) \(i.maxEntries)" }
        record("lookup") { () throws(TCXError) in try map.lookup([]).map { "\($0)" } ?? "none" }
        record("next key") { () throws(TCXError) in try world.nextKey(map: map.handle, after: nil).map { "\($0)" } ?? "none" }
        let ring = try UserRingBuffer(map: map)
        record("empty") { () throws(TCXError) in try drain(program) }
        record("three") { () throws(TCXError) in
            try ring.write(bytes(1))
            try ring.write(bytes(2, extra: 4))
            try ring.write([7, 7, 7])
            return try drain(program)
        }
        record("stop after one") { () throws(TCXError) in
            try ring.write(bytes(10))
            try ring.write(bytes(20))
            return try drain(program, op: 1)
        }
        record("the rest") { () throws(TCXError) in try drain(program) }
        let busy = try ring.reserve(byteCount: 8)
        busy.storeBytes(of: UInt64(100).littleEndian, as: UInt64.self)
        record("behind a busy record") { () throws(TCXError) in
            try ring.write(bytes(200))
            return try drain(program)
        }
        ring.submit(busy)
        record("once submitted") { () throws(TCXError) in try drain(program) }
        record("discarded skipped") { () throws(TCXError) in
            ring.discard(try ring.reserve(byteCount: 16))
            try ring.write(bytes(5))
            return try drain(program)
        }
        for flags: UInt64 in [1, 2, 3, 4] {
            record("flags \(flags)") { () throws(TCXError) in
                try ring.write(bytes(flags))
                return try drain(program, flags: flags)
            }
        }
        record("after EINVAL") { () throws(TCXError) in try drain(program) }
        record("callback writes the sample") { () throws(TCXError) in
            try ring.write(bytes(0x100))
            return try drain(program, op: 3)
        }
        record("nested drain") { () throws(TCXError) in
            try ring.write(bytes(3))
            return try drain(program, op: 2)
        }
        record("reserve the whole ring") { () throws(TCXError) in _ = try ring.reserve(byteCount: 4096); return "ok" }
        record("fill") { () throws(TCXError) in try ring.write([UInt8](repeating: 1, count: 4088)); return "ok" }
        record("full") { () throws(TCXError) in try ring.write([1]); return "ok" }
        record("drain the full ring") { () throws(TCXError) in try drain(program) }
        // Records userspace corrupted: the producer position and headers are its to write.
        let memory = ring.producer.memory
        let producer = memory.producer.assumingMemoryBound(to: Atomic<UInt64>.self)
        let position = producer.pointee.load(ordering: .acquiring)
        let header = memory.data + Int(position & UInt64(memory.size - 1))
        record("misaligned producer") { () throws(TCXError) in
            producer.pointee.store(position + 4, ordering: .releasing)
            return try drain(program)
        }
        record("record past the producer") { () throws(TCXError) in
            header.storeBytes(of: UInt32(100), as: UInt32.self)
            producer.pointee.store(position + 16, ordering: .releasing)
            return try drain(program)
        }
        record("record larger than the ring") { () throws(TCXError) in
            header.storeBytes(of: UInt32(8000), as: UInt32.self)
            producer.pointee.store(position + 8192, ordering: .releasing)
            return try drain(program)
        }
        record("repaired") { () throws(TCXError) in
            producer.pointee.store(position, ordering: .releasing)
            try ring.write(bytes(9))
            return try drain(program)
        }
        return out
    }

    @Test(arguments: backends) func drainsAsTheKernel(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        #expect(try Self.transcript(world) == Self.recorded)
    }

    static let recorded: [String] = [
        "create: ok", "create max 0: EINVAL", "create 1000 bytes: EINVAL", "create 8192 bytes: ok",
        "create key 4: EINVAL", "create numa: ok", "create mmapable: EINVAL", "create rdonly_prog: EINVAL",
        "info: user_ringbuf 4096",
        "lookup: ENOTSUPP",
        "next key: ENOTSUPP",
        "empty: 0 samples=0 bytes=0 sum=0 nested=0",
        "three: 3 samples=3 bytes=23 sum=3 nested=0",
        "stop after one: 1 samples=1 bytes=8 sum=10 nested=0",
        "the rest: 1 samples=1 bytes=8 sum=20 nested=0",
        "behind a busy record: 0 samples=0 bytes=0 sum=0 nested=0",
        "once submitted: 2 samples=2 bytes=16 sum=300 nested=0",
        "discarded skipped: 1 samples=1 bytes=8 sum=5 nested=0",
        "flags 1: 1 samples=1 bytes=8 sum=1 nested=0",
        "flags 2: 1 samples=1 bytes=8 sum=2 nested=0",
        "flags 3: 1 samples=1 bytes=8 sum=3 nested=0",
        "flags 4: EINVAL samples=0 bytes=0 sum=0 nested=0",
        "after EINVAL: 1 samples=1 bytes=8 sum=4 nested=0",
        "callback writes the sample: 1 samples=1 bytes=8 sum=341 nested=0",
        "nested drain: 1 samples=1 bytes=8 sum=3 nested=EBUSY",
        "reserve the whole ring: E2BIG",
        "fill: ok",
        "full: ENOSPC",
        "drain the full ring: 1 samples=1 bytes=64 sum=72340172838076673 nested=0",
        "misaligned producer: EINVAL samples=0 bytes=0 sum=0 nested=0",
        "record past the producer: EINVAL samples=0 bytes=0 sum=0 nested=0",
        "record larger than the ring: E2BIG samples=0 bytes=0 sum=0 nested=0",
        "repaired: 1 samples=1 bytes=8 sum=9 nested=0",
    ]
}
