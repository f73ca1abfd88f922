import BPFCore
import Synchronization

/// BPF_MAP_TYPE_LPM_TRIE: longest-prefix match on keys laid out as the kernel's
/// `struct bpf_lpm_trie_key_u8`: a host-order u32 prefix length, then the data bytes, most
/// significant bit first (network order for addresses).
///
/// A binary trie with one node per bit; an entry hangs off the node at its prefix length. Entries
/// (stored key bytes, then value) live in a `SlotPool`, so a program's value pointer stays valid;
/// replacing a value links a fresh element as the kernel does. Writers take a reader-writer
/// lock and make a sequence count odd while they change the trie; a program's lookup walks it
/// without any lock and keeps what it found when the count was even and unchanged across the
/// walk (a seqlock: the kernel's lookup walks its RCU trie without a lock too). The nodes'
/// memory is never freed under a walk (`LPMTrieNodes`), and the walk checks every index.
public final class LPMTrieMap: BPFMap, @unchecked Sendable {
    typealias Node = LPMTrieNodes.Node

    /// Bits of prefix data a key carries.
    public let maxPrefixLength: UInt32
    let valueOffset: Int
    let pool: SlotPool
    let lock = ReadWriteLock()
    /// Odd while a writer changes the trie.
    let sequence = Atomic<UInt64>(0)
    let nodes = LPMTrieNodes()
    var freeNodes: [Int32] = []
    var count = 0

    init(spec: MapSpec, possibleCPUs: Int) {
        maxPrefixLength = (spec.keySize - 4) * 8
        valueOffset = roundUp8(Int(spec.keySize))
        pool = SlotPool(slotSize: valueOffset + roundUp8(Int(spec.valueSize)), capacity: Int(spec.maxEntries) + 1)
        super.init(validated: spec, possibleCPUs: possibleCPUs)
        nodes.append(Node())  // the root: prefix length 0
    }

    /// Entries in the trie now.
    public var entryCount: Int { lock.read { count } }

    @inline(__always)
    static func bit(_ key: UnsafeRawPointer, _ index: Int) -> Int {
        Int(key.load(fromByteOffset: 4 + index >> 3, as: UInt8.self) >> (7 - UInt8(index & 7))) & 1
    }

    @inline(__always)
    func child(_ node: Int32, _ bit: Int) -> Int32 {
        bit == 0 ? nodes[Int(node)].children.0 : nodes[Int(node)].children.1
    }

    // MARK: walks (callers hold the lock)

    /// The entry with the longest prefix matching the first `prefixLength` bits of `key`.
    func longestMatch(_ key: UnsafeRawPointer) -> Int32? {
        Self.longestMatch(key, maxPrefixLength: maxPrefixLength, in: nodes.snapshot())
    }

    /// The walk itself, on `nodes` as a reader sees them: every index checked, since a walk
    /// without the lock may read a node a writer is changing (its result is then dropped).
    @inline(__always)
    static func longestMatch(_ key: UnsafeRawPointer, maxPrefixLength: UInt32, in nodes: UnsafeBufferPointer<Node>) -> Int32? {
        let length = Int(key.loadUnaligned(as: UInt32.self))
        guard length <= maxPrefixLength, !nodes.isEmpty else { return nil }
        var node = 0
        var best = nodes[0].entry
        for i in 0..<length {
            let next = bit(key, i) == 0 ? nodes[node].children.0 : nodes[node].children.1
            guard next >= 0, Int(next) < nodes.count else { break }
            node = Int(next)
            let entry = nodes[node].entry
            if entry >= 0 { best = entry }
        }
        return best >= 0 ? best : nil
    }

    /// `longestMatch` without the lock, as a program's lookup: kept when no writer changed the
    /// trie during the walk; after a few walks a writer disturbed, under the lock.
    @inline(__always)
    func matchWithoutLock(_ key: UnsafeRawPointer) -> Int32? {
        for _ in 0..<3 {
            let before = sequence.load(ordering: .acquiring)
            guard before & 1 == 0 else { continue }
            let found = Self.longestMatch(key, maxPrefixLength: maxPrefixLength, in: nodes.snapshot())
            atomicMemoryFence(ordering: .acquiring)  // the walk's loads before the second read
            if sequence.load(ordering: .relaxed) == before { return found }
        }
        return lock.read { longestMatch(key) }
    }

    /// Runs a writer's change (under the write lock) with the sequence odd, so walks without
    /// the lock that overlap it start again.
    @inline(__always)
    func changing<T>(_ body: () -> T) -> T {
        sequence.add(1, ordering: .sequentiallyConsistent)
        defer { sequence.add(1, ordering: .releasing) }
        return body()
    }

    /// The node for exactly `key`'s prefix (only its first prefix-length bits count), creating the
    /// path when `create` is set.
    func exactNode(_ key: UnsafeRawPointer, create: Bool) -> Int32? {
        let length = Int(key.loadUnaligned(as: UInt32.self))
        var node: Int32 = 0
        for i in 0..<length {
            let bit = Self.bit(key, i)
            var next = child(node, bit)
            if next < 0 {
                guard create else { return nil }
                next = newNode(parent: node)
                if bit == 0 { nodes[Int(node)].children.0 = next } else { nodes[Int(node)].children.1 = next }
            }
            node = next
        }
        return node
    }

    private func newNode(parent: Int32) -> Int32 {
        var fresh = Node()
        fresh.parent = parent
        if let reused = freeNodes.popLast() {
            nodes[Int(reused)] = fresh
            return reused
        }
        nodes.append(fresh)
        return Int32(nodes.count - 1)
    }

    /// Drops nodes that lead to no entry any more, from `node` up.
    func prune(_ node: Int32) {
        var node = node
        while node > 0, nodes[Int(node)].entry < 0, nodes[Int(node)].children == (-1, -1) {
            let parent = nodes[Int(node)].parent
            if nodes[Int(parent)].children.0 == node {
                nodes[Int(parent)].children.0 = -1
            } else {
                nodes[Int(parent)].children.1 = -1
            }
            freeNodes.append(node)
            node = parent
        }
    }

    // MARK: update and delete

    /// The kernel's order: flags, prefix length, NOEXIST/EXIST, then room (ENOSPC).
    func store(_ key: UnsafeRawPointer, _ value: UnsafeRawPointer, flags: UInt64) -> LinuxErrno? {
        guard flags <= MapUpdateFlags.exist else { return .EINVAL }
        guard key.loadUnaligned(as: UInt32.self) <= maxPrefixLength else { return .EINVAL }
        return lock.write { changing { () -> LinuxErrno? in
            let existing = exactNode(key, create: false).flatMap { nodes[Int($0)].entry >= 0 ? $0 : nil }
            if existing != nil, flags == MapUpdateFlags.noExist { return .EEXIST }
            if existing == nil, flags == MapUpdateFlags.exist { return .ENOENT }
            if existing == nil, count >= Int(maxEntries) { return .ENOSPC }
            guard let entry = pool.take() else { return .ENOMEM }
            let element = pool.address(entry)
            // The key is kept as given (bits past the prefix included): get_next_key returns it so.
            element.copyMemory(from: key, byteCount: keySize)
            (element + valueOffset).copyMemory(from: value, byteCount: valueSize)
            let node = existing ?? exactNode(key, create: true)!
            let old = nodes[Int(node)].entry
            nodes[Int(node)].entry = entry
            if old >= 0 { pool.give(old) } else { count += 1 }
            return nil
        } }
    }

    func remove(_ key: UnsafeRawPointer) -> LinuxErrno? {
        guard key.loadUnaligned(as: UInt32.self) <= maxPrefixLength else { return .EINVAL }
        return lock.write { changing { () -> LinuxErrno? in
            guard let node = exactNode(key, create: false), nodes[Int(node)].entry >= 0 else { return .ENOENT }
            pool.give(nodes[Int(node)].entry)
            nodes[Int(node)].entry = -1
            count -= 1
            prune(node)
            return nil
        } }
    }

    // MARK: program

    public override func lookupForProgram(key: UnsafeRawPointer, cpu: Int) -> UnsafeMutableRawPointer? {
        matchWithoutLock(key).map { pool.address($0) + valueOffset }
    }

    public override func updateFromProgram(key: UnsafeRawPointer, value: UnsafeRawPointer, flags: UInt64, cpu: Int) -> LinuxErrno? {
        store(key, value, flags: flags)
    }

    public override func deleteFromProgram(key: UnsafeRawPointer, cpu: Int) -> LinuxErrno? { remove(key) }

    // MARK: userspace

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let value = lock.read { () -> [UInt8]? in
            key.withPointer(longestMatch).map { [UInt8](UnsafeRawBufferPointer(start: pool.address($0) + valueOffset, count: valueSize)) }
        }
        guard let value else { throw MapError(.ENOENT, "no prefix matches") }
        return value
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        if let errno = key.withPointer({ k in value.withPointer { store(k, $0, flags: flags) } }) {
            throw MapError(errno, Self.reason(errno))
        }
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        if let errno = key.withPointer(remove) { throw MapError(errno, Self.reason(errno)) }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] { try nextKeyInPostOrder(key) }

    static func reason(_ errno: LinuxErrno) -> String {
        switch errno {
        case .EEXIST: "BPF_NOEXIST: the prefix exists"
        case .ENOENT: "no such prefix"
        case .ENOSPC: "the trie is full"
        case .ENOMEM: "no memory for a new entry"
        default: "invalid flags or prefix length"
        }
    }
}
