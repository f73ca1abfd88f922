import Atomics

/// The program array the datapath reads, kept apart from control data.
///
/// Two halves of 64 slots each are allocated once. A change is written into the idle half and
/// published with a single atomic store, so a reader sees either the old array or the new one,
/// never a mix, and a detach allocates nothing. Each half counts the readers inside it; before
/// a half is rewritten, or the programs it held are released, the writer waits until it is empty
/// (the grace period). Readers take no lock and never wait for a writer.
public final class PublishedArray<Program: AnyObject>: @unchecked Sendable {
    public static var capacity: Int { 64 }

    private let slots: UnsafeMutablePointer<UInt.AtomicRepresentation>
    private let readers: UnsafeMutablePointer<Int.AtomicRepresentation>
    @usableFromInline let activeHalf: UnsafeMutablePointer<Int.AtomicRepresentation>

    public init() {
        slots = .allocate(capacity: 2 * Self.capacity)
        slots.initialize(repeating: UInt.AtomicRepresentation(0), count: 2 * Self.capacity)
        readers = .allocate(capacity: 2)
        readers.initialize(repeating: Int.AtomicRepresentation(0), count: 2)
        activeHalf = .allocate(capacity: 1)
        activeHalf.initialize(to: Int.AtomicRepresentation(Self.emptyFlag))
    }

    deinit {
        slots.deallocate()
        readers.deallocate()
        activeHalf.deallocate()
    }

    /// The active half (bit 0), and `emptyFlag` when it holds no program: published in the one
    /// word, so a reader of an empty hook learns it with a plain load, without entering a half
    /// (two atomic read-modify-writes) — and sees exactly the array published then.
    @usableFromInline var active: UnsafeAtomic<Int> { UnsafeAtomic(at: activeHalf) }
    @usableFromInline static var emptyFlag: Int { 2 }
    private func readerCount(_ half: Int) -> UnsafeAtomic<Int> { UnsafeAtomic(at: readers + half) }
    private func slot(_ half: Int, _ index: Int) -> UnsafeAtomic<UInt> {
        UnsafeAtomic(at: slots + half * Self.capacity + index)
    }

    // MARK: Reader side

    /// Whether no program is published: one plain load, no reader registered (a datapath that
    /// finds every hook on a frame's way empty need not prepare the frame for programs).
    @inlinable
    public var isEmpty: Bool {
        active.load(ordering: .acquiring) & Self.emptyFlag != 0
    }

    /// Calls `body` for each published program in order until it returns false. The programs
    /// stay alive for the whole call, however the control plane changes the hook meanwhile.
    @inline(__always)
    public func forEach(_ body: (Program) -> Bool) {
        if active.load(ordering: .sequentiallyConsistent) & Self.emptyFlag != 0 { return }
        let half = enter()
        defer { readerCount(half).wrappingDecrement(ordering: .releasing) }
        var index = 0
        while index < Self.capacity {
            let bits = slot(half, index).load(ordering: .relaxed)
            if bits == 0 { break }
            let keepGoing = Unmanaged<Program>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!)
                ._withUnsafeGuaranteedRef { body($0) }
            if !keepGoing { break }
            index += 1
        }
    }

    /// Calls `body` with the published programs (not at all when there are none, without
    /// entering a half); they stay alive for the whole call, as in `forEach`. For a reader that looks at
    /// several programs at once (the datapath runs a chain's compiled programs in one pass).
    /// (Not generic: a generic result went through value witnesses per frame.)
    public func withPublished(_ body: (PublishedPrograms<Program>) -> Void) {
        if active.load(ordering: .sequentiallyConsistent) & Self.emptyFlag != 0 { return }
        let half = enter()
        defer { readerCount(half).wrappingDecrement(ordering: .releasing) }
        body(PublishedPrograms(slots: slots + half * Self.capacity))
    }

    /// Registers a reader in the active half, retrying if a swap happened in between.
    @inline(__always)
    private func enter() -> Int {
        while true {
            let half = active.load(ordering: .sequentiallyConsistent) & 1
            readerCount(half).wrappingIncrement(ordering: .sequentiallyConsistent)
            if active.load(ordering: .sequentiallyConsistent) & 1 == half { return half }
            readerCount(half).wrappingDecrement(ordering: .releasing)
        }
    }

    // MARK: Writer side (one writer at a time: the caller serialises)

    /// Writes `programs` into the idle half, publishes it, and waits until no reader is left in
    /// the half that was active, so whatever it referenced may be released afterwards.
    public func publish(_ programs: some Collection<Program>) {
        precondition(programs.count < Self.capacity, "a published array holds at most 63 programs")
        let idle = 1 - (active.load(ordering: .sequentiallyConsistent) & 1)
        waitUntilEmpty(idle)
        var index = 0
        for program in programs {
            slot(idle, index).store(UInt(bitPattern: Unmanaged.passUnretained(program).toOpaque()),
                                    ordering: .relaxed)
            index += 1
        }
        slot(idle, index).store(0, ordering: .relaxed)
        active.store(index == 0 ? idle | Self.emptyFlag : idle, ordering: .sequentiallyConsistent)
        waitUntilEmpty(1 - idle)
    }

    private func waitUntilEmpty(_ half: Int) {
        var spins = 0
        while readerCount(half).load(ordering: .sequentiallyConsistent) != 0 {
            spins += 1
            if spins > 64 { sched_yield_portable() }
        }
    }
}

/// One published half of a `PublishedArray`, valid inside `withPublished`.
public struct PublishedPrograms<Program: AnyObject> {
    let slots: UnsafeMutablePointer<UInt.AtomicRepresentation>

    /// The program at `index`, unretained (the array keeps it alive); nil past the last.
    @inline(__always)
    public subscript(index: Int) -> Unmanaged<Program>? {
        guard index >= 0, index < PublishedArray<Program>.capacity else { return nil }
        let bits = UnsafeAtomic<UInt>(at: slots + index).load(ordering: .relaxed)
        guard let raw = UnsafeRawPointer(bitPattern: bits) else { return nil }
        return Unmanaged.fromOpaque(raw)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func sched_yield_portable() { sched_yield() }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func sched_yield_portable() { sched_yield() }
#endif
