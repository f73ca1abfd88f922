import BPFCore
@testable import LinuxKernel
import Testing

/// The perf ring reader on rings written by hand: records that wrap, and heads, tails and sizes
/// the kernel would never write, which must give nothing wrong and read nothing outside.
struct PerfRingRecordsTests {
    /// A 64-byte ring with `records` laid out from `start` (wrapping).
    static func ring(_ records: [[UInt8]], start: Int = 0) -> [UInt8] {
        var ring = [UInt8](repeating: 0xee, count: 64)
        var position = start
        for record in records {
            for byte in record {
                ring[position % 64] = byte
                position += 1
            }
        }
        return ring
    }

    static func sample(_ data: [UInt8]) -> [UInt8] {
        let size = UInt16(12 + data.count)
        return [9, 0, 0, 0, 0, 0, UInt8(size & 0xff), UInt8(size >> 8), UInt8(data.count), 0, 0, 0] + data
    }

    static func lost(_ count: UInt8) -> [UInt8] {
        [2, 0, 0, 0, 0, 0, 24, 0] + [UInt8](repeating: 0, count: 8) + [count, 0, 0, 0, 0, 0, 0, 0]
    }

    func read(_ ring: [UInt8], head: UInt64, tail: UInt64) -> [PerfEventRecord] {
        ring.withUnsafeBytes { PerfRingRecords(data: $0, cpu: 1).read(head: head, tail: tail) }
    }

    @Test func recordsThatWrapAreWhole() {
        let first = Self.sample([1, 2, 3, 4]), second = Self.lost(3), third = Self.sample([5, 6, 7, 8])
        let ring = Self.ring([first, second, third], start: 48)
        // Positions keep counting past the ring's size, as the kernel's head and tail do.
        let records = read(ring, head: 64 + 48 + 56, tail: 64 + 48)
        #expect(records == [.sample(cpu: 1, bytes: [1, 2, 3, 4]), .lost(cpu: 1, count: 3), .sample(cpu: 1, bytes: [5, 6, 7, 8])])
    }

    @Test func impossiblePositionsGiveNothing() {
        let ring = Self.ring([Self.sample([1, 2, 3, 4])])
        #expect(read(ring, head: 0, tail: 16).isEmpty)          // head behind the tail
        #expect(read(ring, head: 65, tail: 0).isEmpty)          // more than a ring ahead
        #expect(read(ring, head: .max, tail: 0).isEmpty)
    }

    @Test func badSizesEndTheRead() {
        var zeroSize = Self.sample([1, 2, 3, 4])
        zeroSize[6] = 0
        #expect(read(Self.ring([zeroSize]), head: 16, tail: 0).isEmpty)
        var tooLong = Self.sample([1, 2, 3, 4])
        tooLong[6] = 200
        #expect(read(Self.ring([tooLong]), head: 16, tail: 0).isEmpty)
        // A record larger than what the head says is there.
        #expect(read(Self.ring([Self.sample([1, 2, 3, 4])]), head: 8, tail: 0).isEmpty)
        // A sample claiming more data than its record holds is skipped, the next one is read.
        var lying = Self.sample([1, 2, 3, 4])
        lying[8] = 40
        let records = read(Self.ring([lying, Self.sample([9, 9, 9, 9])]), head: 32, tail: 0)
        #expect(records == [.sample(cpu: 1, bytes: [9, 9, 9, 9])])
    }
}
