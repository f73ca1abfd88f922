import Engine
import Pcap
import TCXReplay
import Testing

/// The README's main job: examples/replay.tcx with examples/traffic.pcap. Before the crash
/// the monitor's two programs and the firewall see every frame; after it only the firewall
/// does, with the same verdicts; tshark reads every capture the replay wrote.
@Suite struct ExampleReplayTests {
    let output = temporaryDirectory()

    func run() throws -> ReplayReport {
        try Replayer(script: Repository.path("examples/replay.tcx"), pcap: Repository.path("examples/traffic.pcap"),
                     device: "web1", direction: .egress, output: output).run()
    }

    @Test func theMonitorsProgramsLeaveTheHookAndTheFirewallKeepsFiltering() throws {
        let report = try run()
        #expect(report.frames == 29 && report.skipped == 0)
        #expect(report.phases.map(\.label) == ["before-crash", "after-crash"])
        for phase in report.phases {
            #expect(phase.device("web1")?.sent == 29)
            #expect(phase.device("web0")?.delivered == 22)
            #expect(phase.device("web0")?.dropped == 7)  // 6 DNS queries, 1 truncated frame
            #expect(phase.program("fw_filter")?.pass == 22 && phase.program("fw_filter")?.drop == 7)
        }
        let (before, after) = (report.phases[0], report.phases[1])
        #expect(before.programs.map(\.name) == ["fw_filter", "mon_proto", "mon_kinds"])
        #expect(before.program("mon_proto")?.next == 29 && before.program("mon_kinds")?.next == 29)
        #expect(after.programs.map(\.name) == ["fw_filter"])
        // Per protocol: other (ARP), TCP, UDP, ICMP, ICMPv6.
        #expect(before.maps.first { $0.name == "mon_protocols" }?.entries.map(\.value) == ["1", "13", "9", "3", "3"])
        #expect(before.maps.first { $0.name == "fw_drops" }?.entries.map(\.value) == ["6", "1"])
        // After the crash nothing counts in the monitor's maps; the firewall's keep growing.
        #expect(after.maps.map(\.name) == ["fw_drops"])
        #expect(after.maps[0].entries.map(\.value) == ["12(+6)", "2(+1)"])
    }

    @Test(.enabled(if: TShark.path != nil, "tshark is not installed: the captures are not checked with it"))
    func tsharkReadsEveryCaptureTheReplayWrote() throws {
        let report = try run()
        let input = try TShark.frameLengths(Repository.path("examples/traffic.pcap"))
        for phase in report.phases {
            let directory = "\(output)/\(phase.label)"
            #expect(phase.files.sorted() == ["web0-delivered", "web0-dropped", "web1-sent"].map { "\(directory)/\($0).pcap" })
            let sent = try TShark.frameLengths("\(directory)/web1-sent.pcap")
            let delivered = try TShark.frameLengths("\(directory)/web0-delivered.pcap")
            let dropped = try TShark.frameLengths("\(directory)/web0-dropped.pcap")
            // Frames travel as captured: the cut one (154 bytes on the wire) is 40 bytes from here on.
            #expect(sent == input.map { $0 == 154 ? 40 : $0 })
            #expect(delivered.count == 22 && dropped.count == 7)
            #expect((delivered + dropped).sorted() == sent.sorted())
            #expect(dropped.contains(40))  // the frame the capture cut short, as captured
        }
    }
}
