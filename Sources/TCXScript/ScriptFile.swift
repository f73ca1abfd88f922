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

    /// Reads a file as UTF-8 text; nil when it cannot be read.
    public static func read(_ path: String) -> String? {
        readBytes(path).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Reads a whole file; nil when it cannot be read.
    public static func readBytes(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count { break }
        }
        if ferror(file) != 0 { return nil }
        return bytes
    }

    public static func write(_ text: String, to path: String) -> Bool {
        guard let file = fopen(path, "wb") else { return false }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        return fwrite(bytes, 1, bytes.count, file) == bytes.count
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
        for (index, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let result = byLine[index + 1], !result.skipped else {
                out.append(String(raw))
                continue
            }
            out.append(rewrite(String(raw), expectation: result.result))
        }
        return out.joined(separator: "\n")
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
