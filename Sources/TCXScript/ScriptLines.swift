/// A script's lines. A Swift `String` reads CRLF as one character, so splitting on `\n` alone
/// would leave a Windows-edited script as a single line; both endings end a line here. A
/// leading byte order mark (some editors write one) is not part of the first command.
enum ScriptLines {
    static func split(_ source: String) -> [Substring] {
        let text = source.first == "\u{FEFF}" ? source.dropFirst() : Substring(source)
        return text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// The ending the source uses, so a recorded script keeps it.
    static func ending(of source: String) -> String {
        source.contains("\r\n") ? "\r\n" : "\n"
    }
}
