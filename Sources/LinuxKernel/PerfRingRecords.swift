import BPFCore

/// The records between a perf ring's tail and head, read out of its data area. Nothing the
/// kernel's metadata page says is taken on trust: a head behind the tail or more than a ring
/// ahead of it yields nothing, and a record whose size is under a header or over what is left
/// ends the read. Either way the reader then moves its tail to the head, dropping what it could
/// not read rather than reading it wrong.
struct PerfRingRecords {
    let data: UnsafeRawBufferPointer
    let cpu: Int

    /// `data.count` must be a power of 2 (the kernel's data area is).
    func read(head: UInt64, tail start: UInt64) -> [PerfEventRecord] {
        let size = UInt64(data.count)
        guard size > 0, head >= start, head - start <= size else { return [] }
        var records: [PerfEventRecord] = []
        var tail = start
        while head - tail >= UInt64(PerfEventLayout.headerSize) {
            let header = bytes(at: tail, count: PerfEventLayout.headerSize)
            let type = load32(header, 0)
            let recordSize = Int(load16(header, 6))
            guard recordSize >= PerfEventLayout.headerSize, UInt64(recordSize) <= head - tail else { break }
            if let record = decode(type: type, bytes(at: tail, count: recordSize)) { records.append(record) }
            tail += UInt64(recordSize)
        }
        return records
    }

    /// A sample or lost record; nil for other types and for records too short for what they claim.
    private func decode(type: UInt32, _ record: [UInt8]) -> PerfEventRecord? {
        switch type {
        case PerfEventLayout.recordSample:
            guard record.count >= PerfEventLayout.sampleOverhead else { return nil }
            let length = Int(load32(record, 8))
            guard length <= record.count - PerfEventLayout.sampleOverhead else { return nil }
            let start = PerfEventLayout.sampleOverhead
            return .sample(cpu: cpu, bytes: Array(record[start..<start + length]))
        case PerfEventLayout.recordLost:
            guard record.count >= PerfEventLayout.lostRecordSize else { return nil }
            return .lost(cpu: cpu, count: load64(record, 16))
        default:
            return nil
        }
    }

    /// `count` bytes (at most the ring's size) from ring position `position`, wrapping at the end.
    private func bytes(at position: UInt64, count: Int) -> [UInt8] {
        let start = Int(position % UInt64(data.count))
        let first = min(count, data.count - start)
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: data[start..<start + first]))
        if first < count { out += UnsafeRawBufferPointer(rebasing: data[0..<min(count - first, data.count)]) }
        return out
    }

    private func load16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private func load32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }
    }

    private func load64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }
    }
}
