import SwiftTCX
import TCXNet
import Testing

@Suite struct JSONTests {
    @Test func reportRoundTripsThroughJSON() throws {
        let world = try Worlds.world(.embedded, running: Worlds.vethScript + "\n" + Worlds.netkitScript)
        defer { world.shutdown() }
        let report = try NetReport.build(from: world)
        let json = try report.json()
        #expect(try NetReport(json: json) == report)
        #expect(json.contains("\"name\" : \"tcx/ingress\""))
    }

    @Test func classicFiltersAndAbsentFieldsRoundTrip() throws {
        let filter = NetReport.ClassicFilter(parent: "clsact/egress", kind: "bpf", priority: 49152, handle: 1,
                                             protocolNumber: 3, name: "cls.o:[tc]", programID: 9,
                                             programName: "cls", directAction: true)
        let device = NetReport.Device(name: "eth0", ifindex: 4, kind: "device", peer: nil,
                                      hooks: [NetReport.Hook(name: "tcx/ingress", revision: 1, count: 0, entries: [])],
                                      classic: [filter])
        let report = NetReport(source: "host", devices: [device])
        #expect(try NetReport(json: report.json()) == report)
    }
}
