import BPFCore
@testable import BPFMaps
import Testing

struct RingBufferTests {
    func ring(_ size: UInt32 = 4096) throws -> RingBufferMap {
        try #require(try make(.ringbuf, key: 0, value: 0, max: size) as? RingBufferMap)
    }

    func output(_ ring: RingBufferMap, _ bytes: [UInt8], flags: UInt64 = 0) -> LinuxErrno? {
        bytes.withUnsafeBytes { ring.output($0, flags: flags) }
    }

    @Test func recordLayout() throws {
        let ring = try ring()
        #expect(output(ring, [1, 2, 3, 4, 5]) == nil)
        // 8-byte header + 5 bytes, rounded up to 8.
        #expect(ring.producerPosition == 16)
        let raw = ring.rawBytes(at: 0, count: 16)
        #expect(Array(raw[0..<4]) == u32(5))
        #expect(Array(raw[8..<13]) == [1, 2, 3, 4, 5])
        let sample = try #require(ring.reserve(byteCount: 3))
        #expect(Int(bitPattern: sample) % 8 == 0)
        #expect(ring.rawBytes(at: 16, count: 4) == u32(3 | RingBufferMap.busyBit))
        ring.discard(sample)
        #expect(ring.rawBytes(at: 16, count: 4) == u32(3 | RingBufferMap.discardBit))
        #expect(ring.query(RingBufferMap.Query.availableData) == 32)
        #expect(ring.query(RingBufferMap.Query.ringSize) == 4096)
        #expect(ring.query(RingBufferMap.Query.producerPosition) == 32)
        #expect(ring.drain() == [[1, 2, 3, 4, 5]])
        #expect(ring.consumerPosition == 32)
        #expect(ring.query(RingBufferMap.Query.consumerPosition) == 32)
        #expect(ring.query(RingBufferMap.Query.availableData) == 0)
    }

    @Test func consumerStopsAtBusyRecords() throws {
        let ring = try ring()
        let first = try #require(ring.reserve(byteCount: 4))
        first.storeBytes(of: 0xAABB_CCDD as UInt32, as: UInt32.self)
        #expect(output(ring, [9]) == nil)
        #expect(ring.drain().isEmpty)
        ring.submit(first)
        #expect(ring.drain() == [u32(0xAABB_CCDD), [9]])
    }

    @Test func fullAndFlags() throws {
        let ring = try ring()
        // Reserved plus unconsumed bytes must stay below the ring size.
        #expect(ring.reserve(byteCount: 4096 - 8) == nil)
        #expect(ring.reserve(byteCount: 1, flags: 1) == nil)
        #expect(ring.reserve(byteCount: RingBufferMap.ringbufMaxRecordForTests + 1) == nil)
        let big = try #require(ring.reserve(byteCount: 4096 - 16))
        #expect(output(ring, [1]) == .EAGAIN)
        #expect(output(ring, [1], flags: 4) == .EINVAL)
        ring.submit(big)
        #expect(output(ring, [1]) == .EAGAIN)
        #expect(ring.drain().count == 1)
        #expect(output(ring, [1], flags: 3) == nil)
    }

    @Test func wrapsAround() throws {
        let ring = try ring()
        let filler = [UInt8](repeating: 7, count: 4000)
        #expect(output(ring, filler) == nil)
        #expect(ring.drain() == [filler])
        // Header at 4008, data at 4016: the 200 data bytes run past the end of the data pages.
        let record = (0..<200).map { UInt8($0) }
        #expect(output(ring, record) == nil)
        #expect(ring.producerPosition == 4008 + 208)
        #expect(ring.rawBytes(at: 4008, count: 4) == u32(200))
        // The tail continues at offset 0, and the consumer reads the record in one piece.
        #expect(ring.rawBytes(at: 4096, count: 8) == Array(record[80..<88]))
        #expect(ring.drain() == [record])
        for round in 0..<50 {
            let bytes = [UInt8](repeating: UInt8(round), count: 100 + round * 7)
            #expect(output(ring, bytes) == nil)
            #expect(ring.drain() == [bytes])
        }
    }

    @Test func producerPointersBelongToTheRing() throws {
        let ring = try ring()
        let other = try self.ring()
        let sample = try #require(ring.reserve(byteCount: 8))
        #expect(ring.contains(sample))
        #expect(!other.contains(sample))
        ring.submit(sample)
    }

    @Test func noElementCommands() throws {
        // Linux 6.18 with a NULL key: ENOTSUPP for each.
        let ring = try ring()
        #expect(errno { try ring.lookup(key: []) } == .ENOTSUPP)
        #expect(errno { try ring.update(key: [], value: []) } == .ENOTSUPP)
        #expect(errno { try ring.delete(key: []) } == .ENOTSUPP)
        #expect(errno { try ring.nextKey(after: nil) } == .ENOTSUPP)
    }
}

extension RingBufferMap {
    static var ringbufMaxRecordForTests: UInt64 { MapLimits.ringbufMaxRecord }
}
