import Glibc
import LinuxKernel
import TCX
import TCXScript
import Testing

/// The skb helper corpus on the real kernel: the expectations were recorded there, and the
/// embedded backend must print the same (SKBCorpusTests).
@Suite(needsKernel)
struct SKBCorpusKernelTests {
    static let scripts: [String] = {
        let corpus = KernelTestSupport.scripts(in: "kernel").first.map { path -> String in
            var parts = path.split(separator: "/", omittingEmptySubsequences: false)
            parts.removeLast(3)  // scripts/kernel/NAME.tcx
            return parts.joined(separator: "/") + "/corpus/skb"
        } ?? ""
        guard let directory = opendir(corpus) else { return [] }
        defer { closedir(directory) }
        var paths: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".tcx") { paths.append(corpus + "/" + name) }
        }
        return paths.sorted()
    }()

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        let source = try #require(ScriptFile.read(path))
        let world = try KernelSystem()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: path, world: world)
        for result in results where !result.matches {
            Issue.record("\(path):\(result.line.number): \(result.printed)")
        }
    }
}
