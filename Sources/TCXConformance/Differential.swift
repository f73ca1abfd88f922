import TCX
import TCXScript

/// Where two backends first printed differently for the same script.
public struct Divergence: Sendable, CustomStringConvertible {
    public let line: Int
    public let command: String
    public let first: String
    public let second: String
    public var description: String { "line \(line): \(command)\n  first:  \(first)\n  second: \(second)" }
}

public enum Differential {
    /// Runs `source` in a fresh world of each backend and returns the first line whose results
    /// differ (lines one backend skips are not compared).
    public static func compare(source: String, name: String,
                               first: any TCXSystem, second: any TCXSystem) throws(ScriptParseError) -> Divergence? {
        let a = try ScriptFile.run(source: source, path: name, world: first)
        let b = try ScriptFile.run(source: source, path: name, world: second)
        for (x, y) in zip(a, b) where !x.skipped && !y.skipped && x.result != y.result {
            return Divergence(line: x.line.number, command: x.line.text, first: x.result, second: y.result)
        }
        return nil
    }
}
