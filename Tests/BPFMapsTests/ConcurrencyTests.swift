import BPFCore
@testable import BPFMaps
import Synchronization
import Testing

/// Several threads use one map through the program face while userspace updates it.
struct ConcurrencyTests {
    @Test func hashUnderConcurrentUpdates() async throws {
        let map = try make(.hash, key: 4, value: 8, max: 64)
        // Each value is key * 1000 + generation; the entries left at the end must match their keys.
        await withTaskGroup(of: Bool.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var consistent = true
                    for round in 0..<2000 {
                        var key = UInt32((round * 7 + worker) % 64)
                        var value = UInt64(key) * 1000 + UInt64(round % 1000)
                        if worker % 2 == 0 {
                            _ = map.updateFromProgram(key: &key, value: &value, flags: 0, cpu: worker % 2)
                            if round % 5 == 0 { _ = map.deleteFromProgram(key: &key, cpu: 0) }
                        } else if let p = map.lookupForProgram(key: &key, cpu: 1) {
                            // As in the kernel's preallocated hash, an element deleted meanwhile may
                            // already hold another key's value: what is read must still be a value
                            // some writer wrote whole, never garbage.
                            let read = p.load(as: UInt64.self)
                            consistent = consistent && read / 1000 < 64
                        }
                    }
                    return consistent
                }
            }
            group.addTask {
                for round in 0..<500 {
                    let key = UInt32(round % 64)
                    try? map.update(key: u32(key), value: u64(UInt64(key) * 1000))
                }
                return true
            }
            for await ok in group { #expect(ok) }
        }
        let entries = try map.dump()
        #expect(entries.count <= 64)
        #expect(Set(entries.map(\.key)).count == entries.count)
        for entry in entries {
            #expect(entry.value.withUnsafeBytes { $0.load(as: UInt64.self) } / 1000
                == UInt64(entry.key.withUnsafeBytes { $0.load(as: UInt32.self) }))
        }
    }

    @Test func arrayAtomicCounters() async throws {
        let map = try make(.array, key: 4, value: 8, max: 4)
        var key: UInt32 = 3
        let value = try #require(map.lookupForProgram(key: &key, cpu: 0))
        let address = UInt(bitPattern: value)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    // A program's atomic add on the value it looked up.
                    let counter = UnsafeMutableRawPointer(bitPattern: address)!.assumingMemoryBound(to: Atomic<UInt64>.self)
                    for _ in 0..<10_000 { counter.pointee.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(try map.lookup(key: u32(3)) == u64(40_000))
    }

    @Test func lruAndLPMUnderLoad() async throws {
        let lru = try make(.lruHash, key: 4, value: 4, max: 32)
        let lpm = try make(.lpmTrie, key: 8, value: 4, max: 64, flags: MapFlags.noPrealloc)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<2000 {
                        var key = UInt32(round * 4 + worker)
                        var value = key
                        _ = lru.updateFromProgram(key: &key, value: &value, flags: 0, cpu: 0)
                        _ = lru.lookupForProgram(key: &key, cpu: 0)
                        var prefix = lpmKey(UInt32(8 + round % 25), [10, UInt8(worker), UInt8(round & 0xFF), 0])
                        var v = u32(1)
                        prefix.withUnsafeMutableBytes { k in v.withUnsafeMutableBytes { _ = lpm.updateFromProgram(key: k.baseAddress!, value: $0.baseAddress!, flags: 0, cpu: 0) } }
                        _ = prefix.withUnsafeMutableBytes { lpm.lookupForProgram(key: $0.baseAddress!, cpu: 0) }
                        if round % 3 == 0 { _ = prefix.withUnsafeMutableBytes { lpm.deleteFromProgram(key: $0.baseAddress!, cpu: 0) } }
                    }
                }
            }
        }
        #expect((lru as? HashMap)?.entryCount == 32)
        #expect(try lru.dump().count == 32)
        #expect(try lpm.dump().count == (lpm as? LPMTrieMap)?.entryCount)
    }

    @Test func ringBufferProducers() async throws {
        let ring = try #require(try make(.ringbuf, key: 0, value: 0, max: 1 << 20) as? RingBufferMap)
        let values = await withTaskGroup(of: [UInt64].self) { group in
            for worker in 0..<3 {
                group.addTask {
                    var sent = 0
                    while sent < 1000 {
                        if let sample = ring.reserve(byteCount: 8 + UInt64(sent % 3) * 8) {
                            sample.storeBytes(of: UInt64(worker * 1_000_000 + sent), as: UInt64.self)
                            ring.submit(sample)
                            sent += 1
                        }
                    }
                    return []
                }
            }
            group.addTask {
                var received: [UInt64] = []
                while received.count < 3000 {
                    ring.consume { received.append($0.load(as: UInt64.self)) }
                }
                return received
            }
            var all: [UInt64] = []
            for await part in group { all += part }
            return all
        }
        #expect(values.count == 3000)
        for worker in 0..<3 {
            // Each producer's records arrive in the order it submitted them.
            let mine = values.filter { $0 / 1_000_000 == UInt64(worker) }.map { $0 % 1_000_000 }
            #expect(mine == (0..<1000).map(UInt64.init))
        }
    }
}
