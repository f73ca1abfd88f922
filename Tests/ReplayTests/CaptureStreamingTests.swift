import Foundation
import Pcap
import TCXReplay
import Testing

/// A capture file is checked whole before anything runs, then read again in each phase rather
/// than held in memory.
@Suite struct CaptureStreamingTests {
    private func writeCapture(_ path: String, frames: Int) throws {
        let writer = try PcapWriter(path: path)
        for i in 0 ..< frames {
            try writer.write(timestamp: PcapTimestamp(seconds: UInt64(i)), bytes: ipv4Frame(proto: UInt8(i % 200)))
        }
        try writer.close()
    }

    private func frames(_ capture: ReplayCapture) throws -> [(UInt64, [UInt8])] {
        var seen: [(UInt64, [UInt8])] = []
        try capture.forEachFrame { frame throws(ReplayError) in seen.append((frame.timestamp.seconds, frame.bytes)) }
        return seen
    }

    @Test func everyPhaseReadsTheSameFramesFromTheFile() throws {
        let path = temporaryDirectory() + "/c.pcap"
        try writeCapture(path, frames: 300)
        let capture = try ReplayCapture(path: path)
        #expect(capture.frameCount == 300 && capture.skipped == 0)
        let first = try frames(capture), second = try frames(capture)
        #expect(first.count == 300)
        #expect(first.map(\.0) == second.map(\.0) && first.map(\.1) == second.map(\.1))
        #expect(first[7].0 == 7 && first[7].1 == ipv4Frame(proto: 7))
    }

    @Test func aTruncatedFileIsRefusedBeforeAnythingRuns() throws {
        let path = temporaryDirectory() + "/t.pcap"
        try writeCapture(path, frames: 5)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        #expect(throws: ReplayError.self) { _ = try ReplayCapture(path: path) }
    }

    @Test func aFileChangedBetweenPhasesIsAnError() throws {
        let path = temporaryDirectory() + "/m.pcap"
        try writeCapture(path, frames: 4)
        let capture = try ReplayCapture(path: path)
        try writeCapture(path, frames: 2)
        #expect(throws: ReplayError.self) { _ = try frames(capture) }
    }
}
