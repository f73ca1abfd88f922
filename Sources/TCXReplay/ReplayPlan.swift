import TCXScript

/// An attach plan split into phases: the capture is replayed at every `#@replay LABEL` line,
/// so one plan can show the traffic before and after a change (a crash, an update) in the same
/// world. The marker is a comment, so the plan still runs unchanged under `tcx script`.
/// A plan without markers is one phase, replayed after its last line.
public struct ReplayPlan: Sendable {
    public struct Phase: Sendable {
        /// The marker's label; empty for a plan without markers.
        public let label: String
        /// The lines that run before this phase's replay.
        public let lines: [ScriptLine]
    }

    public let phases: [Phase]
    /// Lines after the last marker: they run (and are checked) after the last replay.
    public let epilogue: [ScriptLine]

    public static let marker = "#@replay"

    public init(source: String, path: String) throws(ReplayError) {
        let lines: [ScriptLine]
        do { lines = try ScriptParser.parse(source, file: path) } catch { throw ReplayError("\(error)") }
        var markers: [(line: Int, label: String)] = []
        for (index, raw) in ScriptFile.lines(source).enumerated() {
            let text = raw.drop { $0 == " " || $0 == "\t" }
            guard text.hasPrefix(Self.marker) else { continue }
            let label = text.dropFirst(Self.marker.count).trimmingBlanks
            guard !label.isEmpty, label.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }) else {
                throw ReplayError("\(path):\(index + 1): \(Self.marker) takes a label of letters, digits, '_', '.', '-' (it names the output folder)")
            }
            guard !markers.contains(where: { $0.label == label }) else {
                throw ReplayError("\(path):\(index + 1): the label '\(label)' is used twice")
            }
            markers.append((index + 1, label))
        }
        guard !markers.isEmpty else {
            phases = [Phase(label: "", lines: lines)]
            epilogue = []
            return
        }
        var phases: [Phase] = []
        var start = 0
        for marker in markers {
            let end = lines[start...].firstIndex { $0.number > marker.line } ?? lines.endIndex
            phases.append(Phase(label: marker.label, lines: Array(lines[start..<end])))
            start = end
        }
        self.phases = phases
        epilogue = Array(lines[start...])
    }
}

extension Substring {
    fileprivate var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
