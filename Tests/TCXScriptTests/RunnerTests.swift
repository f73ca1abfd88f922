import SwiftTCX
import TCXScript
import Testing

@Suite struct RunnerTests {
    func run(_ source: String) throws -> [LineResult] {
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        return try ScriptFile.run(source: source, path: "t.tcx", world: world)
    }

    @Test func contractExample() throws {
        let results = try run("""
            prog p1 ret next
            prog p2 ret next
            attach p1 lo ingress                          => ok
            attach p2 lo ingress flags=before relative=p1 => ok
            attach p2 lo ingress                          => error EEXIST
            query lo ingress                              => rev=3 count=2 progs=[p2,p1] links=[-,-]
            link l1 p1 lo egress                          => ok
            close l1
            query lo egress                               => rev=1 count=0 progs=[] links=[]
            """)
        #expect(results.allSatisfy { $0.matches })
        #expect(results[4].printed == "attach p2 lo ingress => error EEXIST")
    }

    @Test func mismatchIsPrinted() throws {
        let results = try run("prog p ret next\nattach p lo ingress => error EEXIST")
        #expect(!results[1].matches)
        #expect(results[1].printed == "attach p lo ingress => ok MISMATCH expected error EEXIST")
    }

    @Test func unnamedIdsAndShortBuffers() throws {
        let results = try run("""
            prog a ret next
            prog b ret next
            attach a lo egress
            attach b lo egress
            query lo egress count=1
            get x nowhere
            """)
        #expect(results[4].result == "error ENOSPC rev=3 count=2 progs=[a] links=[-]")
        #expect(results[5].result == "error ENOENT")
    }
}
