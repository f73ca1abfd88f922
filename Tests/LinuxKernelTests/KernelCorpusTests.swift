import Glibc
import LinuxKernel
import TCX
import TCXScript
import Testing

/// The corpus scripts that must print the same on both backends, run on the real kernel: each
/// in its own world, every expectation checked (`run` lines are skipped by the runner).
@Suite(needsKernel)
struct KernelCorpusTests {
    static let scripts: [String] = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/LinuxKernelTests/KernelCorpusTests.swift
        let folder = parts.joined(separator: "/") + "/Tests/Fixtures/scripts/kernel"
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var paths: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".tcx") { paths.append(folder + "/" + name) }
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
