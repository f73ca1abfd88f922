import Engine
import TCXReplay
import Testing

/// The replay itself: plans in phases, counts per device and per program per phase, and the
/// refusals that keep a report honest.
@Suite struct ReplayerTests {
    let frames = ReplayCapture(frames: (0..<5).map { i in
        ReplayCapture.Frame(timestamp: .init(seconds: UInt64(i)), bytes: ipv4Frame(proto: i < 2 ? 17 : 6))
    })

    func replay(_ source: String, device: String = "a", _ direction: EmbeddedSystem.Direction = .egress,
                output: String? = nil) throws -> ReplayReport {
        try Replayer(plan: try ReplayPlan(source: source, path: "/tmp/plan.tcx"), scriptPath: "/tmp/plan.tcx",
                     capture: frames, device: device, direction: direction, output: output).run()
    }

    @Test func phasesCountWhatEachReplayAdded() throws {
        let report = try replay("""
            dev a veth b
            prog count ret next
            prog gate ret drop
            link l1 count b ingress
            #@replay open
            link l2 gate b ingress
            #@replay closed
            close l2
            close gate
            close l1
            close count
            #@replay gone
            """)
        #expect(report.phases.map(\.label) == ["open", "closed", "gone"])
        let (open, closed, gone) = (report.phases[0], report.phases[1], report.phases[2])
        #expect(open.device("a")?.sent == 5 && open.device("a")?.tx == 5)
        #expect(open.device("b")?.delivered == 5 && open.device("b")?.rx == 5)
        #expect(open.program("count")?.runs == 5 && open.program("count")?.next == 5)
        #expect(open.program("gate")?.runs == 0)
        #expect(closed.device("b")?.dropped == 5 && closed.device("b")?.rxDropped == 5)
        #expect(closed.program("count")?.runs == 5 && closed.program("gate")?.drop == 5)
        #expect(closed.dropReasons.map(\.reason) == ["tc ingress"] && closed.dropReasons.map(\.count) == [5])
        #expect(gone.programs.isEmpty)
        #expect(gone.device("b")?.delivered == 5)
    }

    @Test func ingressReplayAndEpilogue() throws {
        let report = try replay("""
            dev a veth b
            prog p ret pass
            attach p a ingress => ok
            #@replay only
            detach p a ingress => ok
            """, device: "a", .ingress)
        #expect(report.phases.count == 1)
        #expect(report.phases[0].device("a")?.delivered == 5)
        #expect(report.phases[0].device("b")?.rx == 0)
        #expect(report.text.contains("replayed 5 frame(s) into a ingress"))
    }

    @Test func aPlanThatDidNotBuildAsWrittenIsRefused() throws {
        let error = #expect(throws: ReplayError.self) {
            try replay("""
                dev a veth b
                prog p ret pass
                attach p a ingress => error EBUSY
                """)
        }
        #expect(error?.description.contains("line 3") == true)
        #expect(throws: ReplayError.self) { try replay("dev a veth b", device: "zz") }
    }

    @Test func markersNeedOneUniqueLabel() throws {
        #expect(throws: ReplayError.self) { try ReplayPlan(source: "#@replay\n", path: "p") }
        #expect(throws: ReplayError.self) { try ReplayPlan(source: "#@replay a/b\n", path: "p") }
        #expect(throws: ReplayError.self) { try ReplayPlan(source: "#@replay x\n#@replay x\n", path: "p") }
        let plan = try ReplayPlan(source: "dev a veth b\n  #@replay one\nprog p ret pass\n", path: "p")
        #expect(plan.phases.map(\.lines.count) == [1])
        #expect(plan.epilogue.count == 1)
        #expect(try ReplayPlan(source: "dev a veth b\n", path: "p").phases.map(\.label) == [""])
    }
}
