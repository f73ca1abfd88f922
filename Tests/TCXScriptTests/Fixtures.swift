#if canImport(Glibc)
import Glibc
#endif

/// Where the repository's fixtures are, found from this file's path.
enum Fixtures {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/TCXScriptTests/Fixtures.swift
        return parts.joined(separator: "/")
    }()

    static let scripts = root + "/Tests/Fixtures/scripts"

    /// The `.tcx` files of one folder under Tests/Fixtures/scripts, sorted.
    static func scripts(in folder: String) -> [String] {
        tcxFiles(in: scripts + "/" + folder)
    }

    /// The README's examples.
    static var examples: [String] { tcxFiles(in: root + "/examples") }

    static func tcxFiles(in path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(".tcx") { names.append(path + "/" + name) }
        }
        return names.sorted()
    }
}
