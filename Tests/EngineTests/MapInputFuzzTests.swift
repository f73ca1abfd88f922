import BPFCore
import BPFObject
import SwiftTCX
import TCXConformance
import TCXScript
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Random map keys and values, of the map's sizes and of wrong ones, against every map of the
/// map corpus in an embedded world: each line answers `ok`, a value or an errno — never a
/// crash — and a key or value of the wrong size is EINVAL, as the kernel answers.
/// TCX_MAP_FUZZ_SEEDS runs more scripts (default 20).
@Suite struct MapInputFuzzTests {
    static let corpus: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/EngineTests/MapInputFuzzTests.swift
        return parts.joined(separator: "/") + "/Tests/Fixtures/corpus/maps"
    }()

    static func plan() throws -> (setup: [String], targets: [RandomMapScript.Target]) {
        let sources = try ["bloom", "mixed", "percpu_lru", "queue_stack", "spin_lock", "tail_calls", "timer", "user_ringbuf", "task_storage", "cgrp_storage", "inode_storage", "stack_trace", "cgroup_storage"]
            .map { try #require(ScriptFile.read(corpus + "/" + $0 + ".tcx")) }
        return try RandomMapScript.plan(scripts: sources) { try ObjectSpec.load(path: corpus + "/" + $0).maps }
    }

    @Test func randomKeysAndValuesAreAnsweredNeverCrash() throws {
        let (setup, targets) = try Self.plan()
        try #require(targets.count >= 5)
        let seeds = getenv("TCX_MAP_FUZZ_SEEDS").flatMap { UInt64(String(cString: $0)) } ?? 20
        var wrongSizes = 0
        for seed in 0..<seeds {
            var generator = RandomMapScript(seed: seed, setup: setup, targets: targets)
            let source = generator.script(length: 150)
            let world = try Backend.embedded.openWorld()
            defer { world.shutdown() }
            let results = try ScriptFile.run(source: source, path: Self.corpus + "/fuzz-\(seed).tcx", world: world)
            for result in results where result.line.text.hasPrefix("map-") {
                let answer = result.result
                #expect(answer == "ok" || answer.hasPrefix("value=") || answer.hasPrefix("values=[") || answer.hasPrefix("error E"),
                        "seed \(seed) line \(result.line.number): \(result.printed)")
                if Self.hasWrongSize(result.line.text, targets) {
                    wrongSizes += 1
                    #expect(answer == "error EINVAL", "seed \(seed): \(result.printed)")
                }
            }
        }
        #expect(wrongSizes > 0)
    }

    /// A line whose key (or value) is not the size its map has.
    static func hasWrongSize(_ line: String, _ targets: [RandomMapScript.Target]) -> Bool {
        let words = line.split(separator: " ").map(String.init)
        guard words.count >= 4, let target = targets.first(where: { $0.file == words[1] && $0.spec.name == words[2] }) else { return false }
        // Maps with a special key or value rule (no key, per-CPU values, bloom) are left to the
        // kernel differential; plain hashes and arrays must refuse a size mismatch.
        guard [MapType.hash, .array, .lruHash].contains(target.spec.type) else { return false }
        if words[3].count / 2 != Int(target.spec.keySize) { return true }
        return words[0] == "map-update" && words.count >= 5 && words[4].count / 2 != Int(target.spec.valueSize)
    }

    /// Found by the map differential: the kernel never copies a value's bpf_spin_lock word to
    /// or from userspace (an update leaves it, a lookup reads 0); recorded on Linux 6.18.
    @Test func spinLockWordIsNotCopiedToOrFromUserspace() throws {
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let source = """
            prog add load spin_lock.o add_locked => ok
            map-update spin_lock.o by_key 01000000 ffffffff020000000c00000000000000 => ok
            map-lookup spin_lock.o by_key 01000000 => value=00000000020000000c00000000000000
            map-update spin_lock.o totals 01000000 01000000ffffffff0c00000000000000 => ok
            map-lookup spin_lock.o totals 01000000 => value=00000000ffffffff0c00000000000000
            """
        let results = try ScriptFile.run(source: source, path: Self.corpus + "/lock-word.tcx", world: world)
        for result in results where !result.matches { Issue.record("\(result.printed)") }
        #expect(results.count == 5)
    }
}
