import BPFCore
import TCX
@testable import TCXScript
import Testing

@Suite struct ParserTests {
    func parseError(_ source: String) -> ScriptParseError? {
        do { _ = try ScriptParser.parse(source, file: "t.tcx"); return nil } catch { return error }
    }

    @Test func linesAreCollapsedAndExpectationsSplit() throws {
        let lines = try ScriptParser.parse("prog   p1 ret next   => ok  # comment\n\n# only a comment\n", file: "t.tcx")
        #expect(lines.count == 1)
        #expect(lines[0].text == "prog p1 ret next")
        #expect(lines[0].expected == "ok")
        #expect(lines[0].command == .progReturning(name: "p1", value: -1))
    }

    @Test func flagsAreExactBits() throws {
        let lines = try ScriptParser.parse("prog p ret 7\nattach p lo ingress flags=before,id,0x40,2 relative=0x10 revision=3", file: "t")
        guard case .attach(_, _, let hook, let flags, let relative, _, let revision) = lines[1].command else {
            Issue.record("not an attach")
            return
        }
        #expect(hook == .tcxIngress)
        #expect(flags == 0x8 | 0x20 | 0x40 | 0x2)
        #expect(relative == .number(16))
        #expect(revision == 3)
    }

    @Test func errorsNameFileAndLine() {
        let error = parseError("prog p ret next\nattach q lo ingress")
        #expect(error?.line == 2)
        #expect(error?.description.hasPrefix("t.tcx:2:") == true)
        #expect(parseError("attach lo lo ingress") != nil, "a device where a handle is wanted")
        #expect(parseError("prog p ret next\nquery p ingress") != nil, "a handle where a device is wanted")
        #expect(parseError("prog p ret next\nattach p lo sideways") != nil)
        #expect(parseError("prog p ret next\nattach p lo ingress flags=sideways") != nil)
        #expect(parseError("prog p ret next\nattach p lo ingress count=3") != nil)
        #expect(parseError("prog 1p ret next") != nil)
        #expect(parseError("frobnicate") != nil)
        #expect(parseError("prog p ret maybe") != nil)
        #expect(parseError("prog p ret next\ntest-run p packet=abc") != nil)
    }

    @Test func recordingRewritesExpectationsAndKeepsComments() {
        let raw = "attach p1 lo ingress   => error EEXIST   # why"
        #expect(ScriptFile.rewrite(raw, expectation: "ok") == "attach p1 lo ingress   => ok  # why")
        #expect(ScriptFile.rewrite("query lo ingress", expectation: "rev=1") == "query lo ingress => rev=1")
    }
}
