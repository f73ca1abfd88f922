/// A SOCKHASH's entries in the kernel's layout: `roundup_pow_of_two(max_entries)` buckets, a key
/// in bucket `jhash(key, key_size, 0) & (buckets - 1)`, the newest first in its bucket (a
/// replaced key moves to the front). The key walk goes bucket by bucket, so it matches the
/// kernel's order; a key not in the map restarts the walk from the first bucket.
struct SocketHashBuckets {
    /// Non-empty buckets by index: a huge max_entries costs nothing up front.
    private var buckets: [Int: [(key: [UInt8], socket: MapSocket)]] = [:]
    private(set) var count = 0
    private let bucketCount: Int

    init(maxEntries: UInt32) {
        // max_entries is a UInt32, so its power of two fits an Int.
        var size = 1
        while size < Int(maxEntries) { size <<= 1 }
        bucketCount = size
    }

    private func bucket(of key: [UInt8]) -> Int { Int(JenkinsHash.hash(key, seed: 0)) & (bucketCount - 1) }

    private func entries(_ bucket: Int) -> [(key: [UInt8], socket: MapSocket)] {
        buckets[bucket] ?? []
    }

    func socket(_ key: [UInt8]) -> MapSocket? {
        entries(bucket(of: key)).first { $0.key == key }?.socket
    }

    mutating func insert(_ key: [UInt8], _ socket: MapSocket) {
        let index = bucket(of: key)
        var here = entries(index)
        if let old = here.firstIndex(where: { $0.key == key }) {
            here.remove(at: old)
            count -= 1
        }
        here.insert((key, socket), at: 0)
        buckets[index] = here
        count += 1
    }

    mutating func remove(_ key: [UInt8]) -> Bool {
        let index = bucket(of: key)
        var here = entries(index)
        guard let at = here.firstIndex(where: { $0.key == key }) else { return false }
        here.remove(at: at)
        buckets[index] = here.isEmpty ? nil : here
        count -= 1
        return true
    }

    mutating func removeAll(where matches: (MapSocket) -> Bool) {
        for (index, here) in buckets {
            let kept = here.filter { !matches($0.socket) }
            count -= here.count - kept.count
            buckets[index] = kept.isEmpty ? nil : kept
        }
    }

    /// The key after `key` in the walk, nil at its end.
    func key(after key: [UInt8]?) -> [UInt8]? {
        var start = 0
        if let key {
            let index = bucket(of: key)
            let here = entries(index)
            if let at = here.firstIndex(where: { $0.key == key }) {
                if at + 1 < here.count { return here[at + 1].key }
                start = index + 1
            }
        }
        guard let first = buckets.keys.filter({ $0 >= start }).min() else { return nil }
        return buckets[first]?.first?.key
    }
}
