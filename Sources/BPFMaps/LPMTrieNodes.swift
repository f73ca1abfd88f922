#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The LPM trie's nodes, in a buffer that readers walk without a lock (`LPMTrieMap`'s sequence
/// check tells them whether a writer changed the trie meanwhile). Growing copies the nodes
/// into a buffer twice as large and keeps the old one until the map is freed, so a reader still
/// in it reads stale but valid memory, never freed memory (at most as much again is kept).
/// Writers (under the map's write lock) only.
final class LPMTrieNodes: @unchecked Sendable {
    struct Node: Equatable {
        var children: (Int32, Int32) = (-1, -1)
        var parent: Int32 = -1
        var entry: Int32 = -1

        static func == (a: Node, b: Node) -> Bool {
            a.children == b.children && a.parent == b.parent && a.entry == b.entry
        }
    }

    /// The buffer readers start from: its address, published after its nodes are written, then
    /// its capacity (readers read them the other way round, so the capacity they see is never
    /// more than the buffer they see holds).
    private let current = Atomic<UInt>(0)
    private let currentCapacity = Atomic<Int>(0)
    private var buffer: UnsafeMutablePointer<Node>
    private(set) var capacity: Int
    private(set) var count = 0
    private var retired: [UnsafeMutablePointer<Node>] = []

    init() {
        capacity = 16
        buffer = .allocate(capacity: capacity)
        buffer.initialize(repeating: Node(), count: capacity)
        current.store(UInt(bitPattern: buffer), ordering: .releasing)
        currentCapacity.store(capacity, ordering: .releasing)
    }

    deinit {
        buffer.deallocate()  // trivial nodes: nothing to deinitialize
        for old in retired { old.deallocate() }
    }

    subscript(index: Int) -> Node {
        unsafeAddress { UnsafePointer(buffer + index) }
        unsafeMutableAddress { buffer + index }
    }

    func append(_ node: Node) {
        if count == capacity { grow() }
        buffer[count] = node
        count += 1
    }

    private func grow() {
        let larger = UnsafeMutablePointer<Node>.allocate(capacity: capacity * 2)
        larger.initialize(repeating: Node(), count: capacity * 2)
        larger.update(from: buffer, count: count)
        retired.append(buffer)  // a reader may still walk it
        buffer = larger
        capacity *= 2
        current.store(UInt(bitPattern: larger), ordering: .releasing)
        currentCapacity.store(capacity, ordering: .releasing)
    }

    /// The buffer a reader walks, with a size it may index (nodes past `count` are unused or
    /// stale: only a writer links them, and the reader's sequence check sees the writer).
    @inline(__always)
    func snapshot() -> UnsafeBufferPointer<Node> {
        let size = currentCapacity.load(ordering: .acquiring)
        let base = UnsafePointer<Node>(bitPattern: current.load(ordering: .acquiring))
        return UnsafeBufferPointer(start: base, count: base == nil ? 0 : size)
    }
}
