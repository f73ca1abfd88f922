import Engine
import Pcap
import Synchronization

/// Writes what each device delivered, sent and dropped to `DIR/DEV-delivered.pcap`,
/// `DIR/DEV-sent.pcap` and `DIR/DEV-dropped.pcap`, and counts it all.
final class CaptureSink: PacketSink {
    struct Counts {
        var delivered = 0
        var sent = 0
        var dropped = 0
    }

    private struct State {
        var writers: [String: PcapWriter] = [:]
        var counts: [UInt32: Counts] = [:]
        var dropReasons: [String: Int] = [:]
        var timestamp = PcapTimestamp(seconds: 0, nanoseconds: 0)
        var failure: PcapError?
    }

    private let directory: String?
    private let names: [UInt32: String]
    private let state = Mutex(State())

    init(directory: String?, names: [UInt32: String]) {
        self.directory = directory
        self.names = names
    }

    /// The capture time of the frame being replayed; output records carry it.
    func setTimestamp(_ timestamp: PcapTimestamp) { state.withLock { $0.timestamp = timestamp } }

    func delivered(_ frame: [UInt8], at ifindex: UInt32) { record(frame, ifindex, "delivered") { $0.delivered += 1 } }
    func sent(_ frame: [UInt8], from ifindex: UInt32) { record(frame, ifindex, "sent") { $0.sent += 1 } }
    func dropped(_ frame: [UInt8], at ifindex: UInt32, reason: String) {
        state.withLock { $0.dropReasons[reason, default: 0] += 1 }
        record(frame, ifindex, "dropped") { $0.dropped += 1 }
    }

    private func record(_ frame: [UInt8], _ ifindex: UInt32, _ kind: String, count: (inout Counts) -> Void) {
        state.withLock { state in
            count(&state.counts[ifindex, default: Counts()])
            guard let directory, state.failure == nil else { return }
            let file = "\(directory)/\(names[ifindex] ?? "if\(ifindex)")-\(kind).pcap"
            do throws(PcapError) {
                let writer: PcapWriter
                if let open = state.writers[file] {
                    writer = open
                } else {
                    writer = try PcapWriter(path: file)
                    state.writers[file] = writer
                }
                try writer.write(timestamp: state.timestamp, bytes: frame)
            } catch {
                state.failure = error
            }
        }
    }

    /// Closes every file; the first write error, if any.
    func finish() -> (counts: [UInt32: Counts], dropReasons: [String: Int], files: [String], failure: PcapError?) {
        state.withLock { state in
            for writer in state.writers.values {
                do throws(PcapError) { try writer.close() } catch { state.failure = state.failure ?? error }
            }
            return (state.counts, state.dropReasons, state.writers.keys.sorted(), state.failure)
        }
    }
}
