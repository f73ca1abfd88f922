import Atomics
import Synchronization

/// Counters kept as the kernel keeps a device's or a program's statistics (per CPU, summed when
/// read): one copy per datapath thread, which adds to its own with a plain load and store. An
/// atomic add per frame and per program run drained the store buffer each time, a visible share
/// of a `return NEXT` program.
///
/// A thread's copy is its shard (`CounterShard`), held while the thread lives. Threads beyond
/// `exclusive` all use the last shard, which they add to atomically. The shards (~2 KB) are made
/// on the first add: an object no frame ever reaches (most of a large world) keeps one word.
struct CounterShards: @unchecked Sendable {
    // @unchecked: each exclusive shard has one writer; the shared one is only added to
    // atomically; the block is published once, by a compare-exchange.
    /// Shards a thread has to itself; shard `exclusive` is the shared one.
    static let exclusive = 32
    /// Words per shard: a cache line, so threads counting on the same object never share one.
    static let stride = 8
    private static let words = (exclusive + 1) * stride
    private typealias Word = UnsafeAtomic<UInt64>.Storage
    /// The address of the shards' block, 0 until the first add.
    private let blockAddress: UnsafeMutablePointer<UnsafeAtomic<UInt>.Storage>

    /// Room for `counters` counters (at most `stride`), all 0; freed with `deallocate()`.
    init(counters: Int) {
        precondition(counters <= Self.stride, "a shard holds at most \(Self.stride) counters")
        blockAddress = .allocate(capacity: 1)
        blockAddress.initialize(to: UnsafeAtomic<UInt>.Storage(0))
    }

    func deallocate() {
        if let block { block.deallocate() }
        blockAddress.deallocate()
    }

    private var block: UnsafeMutablePointer<Word>? {
        UnsafeMutablePointer(bitPattern: UnsafeAtomic<UInt>(at: blockAddress).load(ordering: .acquiring))
    }

    /// The block, made (all 0) by the first add; a thread that loses the race frees its own.
    @inline(never)
    private func makeBlock() -> UnsafeMutablePointer<Word> {
        let made = UnsafeMutablePointer<Word>.allocate(capacity: Self.words)
        made.initialize(repeating: Word(0), count: Self.words)
        let (exchanged, original) = UnsafeAtomic<UInt>(at: blockAddress)
            .compareExchange(expected: 0, desired: UInt(bitPattern: made), ordering: .acquiringAndReleasing)
        if exchanged { return made }
        made.deallocate()
        return UnsafeMutablePointer(bitPattern: original).unsafelyUnwrapped
    }

    /// Adds `amount` to `counter` in `shard`'s copy.
    @inline(__always)
    func add(_ counter: Int, _ amount: UInt64 = 1, in shard: CounterShard) {
        let base = block ?? makeBlock()
        let slot = UnsafeAtomic<UInt64>(at: base + (shard.index &* Self.stride &+ counter))
        if shard.isExclusive {
            // The thread is the shard's only writer: a read-modify-write needs no lock.
            slot.store(slot.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
        } else {
            slot.wrappingIncrement(by: amount, ordering: .relaxed)
        }
    }

    /// `counter` over every shard.
    func total(_ counter: Int) -> UInt64 {
        guard let block else { return 0 }
        return (0...Self.exclusive).reduce(0) { sum, shard in
            sum &+ UnsafeAtomic<UInt64>(at: block + shard * Self.stride + counter).load(ordering: .relaxed)
        }
    }
}

/// Which copy of every `CounterShards` a thread adds to. A datapath thread takes one when it
/// is made and gives it back when it ends (`DatapathThread`); the lock that hands shards out
/// orders a shard's last add by one thread before the first by the next.
struct CounterShard: Sendable {
    let index: Int

    var isExclusive: Bool { index < CounterShards.exclusive }

    /// The shard every thread without one of its own adds to, atomically.
    static let shared = CounterShard(index: CounterShards.exclusive)

    /// Bit n set: shard n is taken.
    private static let taken = Mutex<UInt64>(0)

    /// A shard of its own for the calling thread, or the shared one when all are taken.
    static func take() -> CounterShard {
        taken.withLock { bits in
            for index in 0..<CounterShards.exclusive where bits & (1 << UInt64(index)) == 0 {
                bits |= 1 << UInt64(index)
                return CounterShard(index: index)
            }
            return shared
        }
    }

    /// Gives `shard` back; its thread adds to it no more.
    static func give(_ shard: CounterShard) {
        guard shard.isExclusive else { return }
        taken.withLock { bits in bits &= ~(1 << UInt64(shard.index)) }
    }
}
