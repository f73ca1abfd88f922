import BPFCore
@testable import BPFMaps
import Testing

/// Program lookups walk the LPM trie without a lock while userspace adds, replaces and deletes
/// prefixes: every answer must be one the trie gave at some instant.
struct LPMConcurrencyTests {
    @Test func lookupsWithoutTheLockUnderUpdates() async throws {
        let map = try make(.lpmTrie, key: 8, value: 8, max: 64, flags: MapFlags.noPrealloc)
        // 10/8 always there, never rewritten: the only element ever holding 8, so a reader
        // handed another element for 10.9.9.9 sees it even if that element is reused meanwhile
        // (freed elements are reused at once, as before: what is checked is the walk). 10.1/16
        // and 10.1.2/24 come, are rewritten (a fresh element each time) and go; deep prefixes
        // elsewhere (value 24) make, prune and reuse nodes and grow the node buffer.
        try map.update(key: lpmKey(8, [10, 0, 0, 0]), value: u64(8))
        let inside = lpmKey(32, [10, 1, 2, 3]), beside = lpmKey(32, [10, 9, 9, 9]), outside = lpmKey(32, [11, 1, 2, 3])
        let wrong = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    var wrong = 0
                    for _ in 0..<20_000 {
                        var key = inside
                        // 10.1.2.3 matches whichever of /8, /16, /24 exists.
                        if let value = map.lookupForProgram(key: &key, cpu: 0)?.load(as: UInt64.self) {
                            if ![8, 16, 24].contains(value) { wrong += 1 }
                        } else {
                            wrong += 1
                        }
                        key = beside
                        // 10.9.9.9 only ever matches /8.
                        if map.lookupForProgram(key: &key, cpu: 0)?.load(as: UInt64.self) != 8 { wrong += 1 }
                        key = outside
                        if map.lookupForProgram(key: &key, cpu: 0) != nil { wrong += 1 }
                    }
                    return wrong
                }
            }
            group.addTask {
                for round in 0..<3000 {
                    try? map.update(key: lpmKey(16, [10, 1, 0, 0]), value: u64(16))
                    try? map.update(key: lpmKey(24, [10, 1, 2, 0]), value: u64(24))
                    if round % 3 == 0 { try? map.delete(key: lpmKey(24, [10, 1, 2, 0])) }
                    if round % 5 == 0 { try? map.delete(key: lpmKey(16, [10, 1, 0, 0])) }
                    let spot = UInt8(round % 40)
                    try? map.update(key: lpmKey(32, [12, spot, 7, 1]), value: u64(24))
                    if round % 2 == 1 { try? map.delete(key: lpmKey(32, [12, UInt8((round / 2) % 40), 7, 1])) }
                }
                return 0
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        #expect(wrong == 0)
    }
}
