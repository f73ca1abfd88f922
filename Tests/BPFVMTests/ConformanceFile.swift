import Foundation

/// One test of the bpf_conformance suite, parsed from its `.data` file.
struct ConformanceFile {
    var name: String
    var program: [UInt8] = []
    var memory: [UInt8] = []
    var result: UInt64?
    var error: String?

    static var directory: URL {
        // Tests/BPFVMTests/<file> -> package root -> its sibling `shared` folder.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/isa")
    }

    static func all() throws -> [ConformanceFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".data") }.sorted()
        return try names.map { name in
            try ConformanceFile(name: name, text: String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
        }
    }

    init(name: String, text: String) throws {
        self.name = name
        var section = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-- ") {
                section = String(line.dropFirst(3))
                continue
            }
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            switch section {
            case "raw": program += try Self.hexBytes(content)
            case "mem": memory += try Self.hexBytes(content)
            case "result": result = try Self.number(content)
            case "error": error = (error.map { $0 + "\n" } ?? "") + content
            default: break
            }
        }
    }

    static func hexBytes(_ line: String) throws -> [UInt8] {
        try line.split(separator: " ").map {
            guard let byte = UInt8($0, radix: 16) else { throw ParseError(text: String($0)) }
            return byte
        }
    }

    static func number(_ text: String) throws -> UInt64 {
        let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let value = parsed else { throw ParseError(text: text) }
        return value
    }

    struct ParseError: Error { var text: String }
}
