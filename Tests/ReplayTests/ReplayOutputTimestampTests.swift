import Engine
import Glibc
import Pcap
import TCXReplay
import Testing

/// `replay --out` writes classic pcap, whose seconds are 32 bits: a capture stamped later is
/// refused before any file or folder is made (it once failed halfway, leaving partial files).
@Suite struct ReplayOutputTimestampTests {
    @Test func laterThan2106IsRefusedBeforeWriting() throws {
        let capture = ReplayCapture(frames: [
            .init(timestamp: .init(seconds: 1), bytes: ipv4Frame(proto: 17)),
            .init(timestamp: .init(seconds: UInt64(UInt32.max) + 1), bytes: ipv4Frame(proto: 17)),
        ])
        let output = "/tmp/tcx-replay-out-\(getpid())"
        let plan = try ReplayPlan(source: "dev a veth b\n#@replay one\n", path: "/tmp/plan.tcx")
        let replayer = Replayer(plan: plan, scriptPath: "/tmp/plan.tcx", capture: capture, device: "a",
                                direction: .egress, output: output)
        let error = #expect(throws: ReplayError.self) { try replayer.run() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("frame 2 of the capture is stamped 4294967296.000000000 s"))
        #expect(access(output, F_OK) != 0, "nothing may be written")
        // Without --out nothing needs writing back, so the same capture replays.
        let report = try Replayer(plan: plan, scriptPath: "/tmp/plan.tcx", capture: capture, device: "a",
                                  direction: .egress, output: nil).run()
        #expect(report.frames == 2)
    }
}
