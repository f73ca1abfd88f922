import Synchronization

/// What lets a run use an object a writer may replace meanwhile (a program array's program)
/// without retaining it, as the kernel's RCU does: a replaced object is retired, not released,
/// and released only once every run that may have read it has ended (its grace period).
///
/// Epochs: a writer stamps what it retires with the global epoch and moves the epoch on; a run
/// entering records the epoch it saw. Whatever was retired before the oldest epoch a run inside
/// records can no longer be reached, and is released. A run pays one store to enter, the first
/// time it reads such an object, and one to leave; nothing is retained or counted per read.
public enum RunGrace {
    /// Never 0: a reader's 0 means "outside".
    static let epoch = Atomic<UInt64>(1)
    /// Objects retired and not yet released: leaving runs reclaim only when there are some.
    static let pending = Atomic<Int>(0)
    private static let state = Mutex(State())

    private struct State {
        var readers: [ObjectIdentifier: Unmanaged<GraceReader>] = [:]
        var retired: [(stamp: UInt64, object: any AnyObject & Sendable)] = []
    }

    static func register(_ reader: GraceReader) {
        state.withLock { $0.readers[ObjectIdentifier(reader)] = Unmanaged.passUnretained(reader) }
    }

    static func unregister(_ reader: GraceReader) {
        _ = state.withLock { $0.readers.removeValue(forKey: ObjectIdentifier(reader)) }
        // A reader dropped inside (its run never ended) held back what it may have read.
        if pending.load(ordering: .relaxed) != 0 { reclaim() }
    }

    /// Hands `object`, already unreachable for runs that start from now on (its replacement
    /// published), to the grace period: released once no run that may have read it is inside.
    public static func retire(_ object: any AnyObject & Sendable) {
        // Sequentially consistent: ordered after the unlink, before the readers are read.
        let stamp = epoch.add(1, ordering: .sequentiallyConsistent).oldValue
        state.withLock { $0.retired.append((stamp, object)) }
        pending.add(1, ordering: .sequentiallyConsistent)
        reclaim()
    }

    /// Releases what no run inside can reach any more.
    static func reclaim() {
        var released: [any AnyObject & Sendable] = []
        state.withLock { state in
            var oldest = UInt64.max
            for reader in state.readers.values {
                let entered = reader._withUnsafeGuaranteedRef { $0.entered.load(ordering: .sequentiallyConsistent) }
                if entered != 0, entered < oldest { oldest = entered }
            }
            // A run that entered at epoch `stamp` or before may hold the object.
            state.retired.removeAll { retired in
                guard retired.stamp < oldest else { return false }
                released.append(retired.object)
                return true
            }
        }
        guard !released.isEmpty else { return }
        pending.subtract(released.count, ordering: .relaxed)
        // Released here, outside the lock: a program's deinit may unregister readers.
        released.removeAll()
    }

    /// Objects retired and not yet released (tests).
    public static var retiredCount: Int { pending.load(ordering: .relaxed) }
}

/// One run's side of `RunGrace`: a run (reused run after run) owns one, enters before it reads
/// a retirable object and leaves when it ends.
public final class GraceReader: @unchecked Sendable {
    /// The epoch the run entered at; 0 outside.
    let entered = Atomic<UInt64>(0)

    public init() {
        RunGrace.register(self)
    }

    deinit {
        RunGrace.unregister(self)
    }

    /// Whether the run is inside (owner's thread only).
    public var isInside: Bool { entered.load(ordering: .relaxed) != 0 }

    /// Enters the grace period: what the run reads from now on stays alive until `leave`.
    @inline(__always)
    public func enter() {
        // Sequentially consistent (a full fence): the record is visible before any read that
        // follows, so a writer that sees the run outside has unlinked what the run will read.
        entered.store(RunGrace.epoch.load(ordering: .acquiring), ordering: .sequentiallyConsistent)
    }

    /// Leaves: nothing read since `enter` is used any more.
    @inline(__always)
    public func leave() {
        // Releasing, not a full fence: a writer retiring at this instant may still see the run
        // inside and keep the object; the next run to leave (or the next retirement) releases
        // it, as the kernel's call_rcu releases after the grace period, not at its end.
        entered.store(0, ordering: .releasing)
        if RunGrace.pending.load(ordering: .relaxed) != 0 { RunGrace.reclaim() }
    }
}
