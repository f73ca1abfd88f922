import Foundation
import SwiftTCX

/// What the API suites that run on every backend share: the backends this machine has, and the
/// repository's fixtures.
enum TestBackends {
    /// The embedded backend, and the kernel's when this process is root and can open a world.
    static let available: [Backend] = {
        guard geteuid() == 0, let world = try? Backend.kernel.openWorld() else { return [.embedded] }
        world.shutdown()
        return [.embedded, .kernel]
    }()

    /// A path below `Tests/Fixtures/` of this repository.
    static func fixture(_ relative: String) -> String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/EngineTests/TestBackends.swift
        return parts.joined(separator: "/") + "/Tests/Fixtures/" + relative
    }
}
