import Pcap
import Engine
import TCX

/// The replay's report: per device what it delivered, sent and dropped; per program how often
/// it ran and what it answered; why frames were dropped.
struct ReplaySummary {
    let frames: Int
    let skipped: Int
    let devices: [DeviceInfo]
    let world: EmbeddedSystem
    let outcome: (counts: [UInt32: CaptureSink.Counts], dropReasons: [String: Int], files: [String], failure: PcapError?)

    func print() {
        Swift.print("replayed \(frames) frame(s)" + (skipped > 0 ? ", skipped \(skipped) that are not Ethernet" : ""))
        Swift.print("")
        Swift.print(pad("device", 12) + pad("delivered", 11) + pad("sent", 8) + "dropped")
        for device in devices {
            let counts = outcome.counts[device.ifindex] ?? CaptureSink.Counts()
            Swift.print(pad(device.name, 12) + pad("\(counts.delivered)", 11) + pad("\(counts.sent)", 8) + "\(counts.dropped)")
        }
        Swift.print("")
        Swift.print(pad("program", 14) + pad("runs", 8) + pad("next", 7) + pad("pass", 7) + pad("drop", 7)
                    + pad("redirect", 10) + pad("other", 7) + "ns/run")
        for (_, name, stats) in world.programStatistics() {
            let perRun = stats.runs == 0 ? 0 : stats.nanoseconds / stats.runs
            Swift.print(pad(name, 14) + pad("\(stats.runs)", 8) + pad("\(stats.next)", 7) + pad("\(stats.pass)", 7)
                        + pad("\(stats.drop)", 7) + pad("\(stats.redirect)", 10) + pad("\(stats.other)", 7) + "\(perRun)")
        }
        if !outcome.dropReasons.isEmpty {
            Swift.print("")
            Swift.print("drops:")
            for (reason, count) in outcome.dropReasons.sorted(by: { $0.value > $1.value }) {
                Swift.print("  \(count)  \(reason)")
            }
        }
        if !outcome.files.isEmpty {
            Swift.print("")
            Swift.print("wrote " + outcome.files.joined(separator: ", "))
        }
    }
}
