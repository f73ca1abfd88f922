import BPFCore
import TCX

#if canImport(Glibc)
import Glibc
#endif

/// Reading, running and recording whole script files.
public enum ScriptFile {
    public enum Outcome: Int32, Sendable, Comparable {
        case passed = 0
        case mismatched = 1
        case unreadable = 2
        public static func < (a: Outcome, b: Outcome) -> Bool { a.rawValue < b.rawValue }
    }

    /// Reads a script as UTF-8 text (a byte order mark dropped, at most
    /// `BoundedInput.Kind.script` bytes); the failure names the file and says why.
    public static func text(_ path: String) throws(BoundedInput.Failure) -> String {
        try BoundedInput.text(path, .script)
    }

    /// Reads a file as UTF-8 text; nil when it cannot be read (`text` says why).
    public static func read(_ path: String) -> String? {
        try? text(path)
    }

    /// Reads a whole file of at most `BoundedInput.Kind.object` bytes; nil when it cannot be read.
    public static func readBytes(_ path: String) -> [UInt8]? {
        try? BoundedInput.read(path, .object)
    }

    /// A script's lines, CRLF or LF.
    public static func lines(_ source: String) -> [Substring] { ScriptLines.split(source) }

    public static func write(_ text: String, to path: String) -> Bool {
        guard let file = fopen(path, "wb") else { return false }
        let bytes = Array(text.utf8)
        // A full disk often answers only when the buffer is flushed at fclose.
        let written = fwrite(bytes, 1, bytes.count, file) == bytes.count
        return fclose(file) == 0 && written
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }

    /// Runs one script in a fresh world and returns every line's result.
    public static func run(source: String, path: String,
                           world: any TCXSystem) throws(ScriptParseError) -> [LineResult] {
        let lines = try ScriptParser.parse(source, file: path)
        return ScriptRunner(system: world, directory: directory(of: path)).run(lines)
    }

    /// The source with every result line's expectation replaced by what was printed, comments
    /// and layout kept. Skipped lines keep their expectation.
    public static func recorded(source: String, results: [LineResult]) -> String {
        var byLine: [Int: LineResult] = [:]
        for result in results { byLine[result.line.number] = result }
        var out: [String] = []
        for (index, raw) in ScriptLines.split(source).enumerated() {
            guard let result = byLine[index + 1], !result.skipped else {
                out.append(String(raw))
                continue
            }
            out.append(rewrite(String(raw), expectation: result.result))
        }
        return out.joined(separator: ScriptLines.ending(of: source))
    }

    /// Puts `=> expectation` on a raw line, keeping its comment and the column of an existing
    /// arrow where there was one.
    static func rewrite(_ raw: String, expectation: String) -> String {
        var body = Substring(raw)
        var comment = ""
        if let hash = body.firstIndex(of: "#") {
            comment = String(body[hash...])
            body = body[..<hash]
        }
        var command = body
        if let arrow = body.firstRange(of: "=>") { command = body[..<arrow.lowerBound] }
        let trimmed = command.reversed().drop(while: { $0 == " " || $0 == "\t" })
        var line = String(trimmed.reversed())
        let padded = max(line.count + 1, command.count)
        line += String(repeating: " ", count: padded - line.count) + "=> " + expectation
        if !comment.isEmpty { line += "  " + comment }
        return line
    }
}
