/// The kernel's get_next_key order for LPM tries: a post-order walk, 0-branch first, so more
/// specific prefixes come before the prefixes that contain them (checked against Linux 6.18).
extension LPMTrieMap {
    func nextKeyInPostOrder(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        let next = lock.read { () -> [UInt8]? in
            var node: Int32?
            if let key, key.withPointer({ $0.loadUnaligned(as: UInt32.self) }) <= maxPrefixLength,
               let found = key.withPointer({ exactNode($0, create: false) }), nodes[Int(found)].entry >= 0 {
                node = successor(found)
            } else {
                // No key, or one not in the trie: start over, as the kernel does.
                node = firstInPostOrder(from: 0)
            }
            while let n = node, nodes[Int(n)].entry < 0 { node = successor(n) }
            return node.map { [UInt8](UnsafeRawBufferPointer(start: pool.address(nodes[Int($0)].entry), count: keySize)) }
        }
        guard let next else { throw MapError(.ENOENT, "no more prefixes") }
        return next
    }

    private func firstInPostOrder(from start: Int32) -> Int32 {
        var node = start
        while true {
            let (zero, one) = nodes[Int(node)].children
            if zero >= 0 { node = zero } else if one >= 0 { node = one } else { return node }
        }
    }

    private func successor(_ node: Int32) -> Int32? {
        let parent = nodes[Int(node)].parent
        guard parent >= 0 else { return nil }
        let one = nodes[Int(parent)].children.1
        if nodes[Int(parent)].children.0 == node, one >= 0 { return firstInPostOrder(from: one) }
        return parent
    }
}
