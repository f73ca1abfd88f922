import Atomics
import Synchronization

/// Counters kept as the kernel keeps a device's or a program's statistics (per CPU, summed when
/// read): one copy per datapath thread, which adds to its own with a plain load and store. An
/// atomic add per frame and per program run drained the store buffer each time, a visible share
/// of a `return NEXT` program.
///
/// A thread's copy is its shard (`CounterShard`), held while the thread lives. Threads beyond
/// `exclusive` all use the last shard, which they add to atomically.
struct CounterShards: @unchecked Sendable {
    // @unchecked: each exclusive shard has one writer; the shared one is only added to atomically.
    /// Shards a thread has to itself; shard `exclusive` is the shared one.
    static let exclusive = 32
    /// Words per shard: a cache line, so threads counting on the same object never share one.
    static let stride = 8
    private let block: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>

    /// Room for `counters` counters (at most `stride`), all 0; freed with `deallocate()`.
    init(counters: Int) {
        precondition(counters <= Self.stride, "a shard holds at most \(Self.stride) counters")
        let words = (Self.exclusive + 1) * Self.stride
        block = .allocate(capacity: words)
        block.initialize(repeating: UnsafeAtomic<UInt64>.Storage(0), count: words)
    }

    func deallocate() { block.deallocate() }

    /// Adds `amount` to `counter` in `shard`'s copy.
    @inline(__always)
    func add(_ counter: Int, _ amount: UInt64 = 1, in shard: CounterShard) {
        let slot = UnsafeAtomic<UInt64>(at: block + (shard.index &* Self.stride &+ counter))
        if shard.isExclusive {
            // The thread is the shard's only writer: a read-modify-write needs no lock.
            slot.store(slot.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
        } else {
            slot.wrappingIncrement(by: amount, ordering: .relaxed)
        }
    }

    /// `counter` over every shard.
    func total(_ counter: Int) -> UInt64 {
        (0...Self.exclusive).reduce(0) { sum, shard in
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
