import Atomics
import BPFCore

/// A classic tc filter: a cls_bpf program in direct-action mode.
struct ClassicFilter: Sendable {
    let priority: UInt16
    let handle: UInt32
    let program: ProgramObject
    /// What the attaching tool named it (cls_bpf's TCA_BPF_NAME).
    let name: String
}

/// The classic filters of one direction, run when the tcx chain ends in NEXT. Changes publish
/// a new immutable list; the datapath loads the current one without a lock.
final class ClassicFilterList: @unchecked Sendable {
    // @unchecked: the flag slot is only touched atomically.
    final class Snapshot: AtomicReference, Sendable {
        let filters: [ClassicFilter]
        init(_ filters: [ClassicFilter]) { self.filters = filters }
    }

    private let current = ManagedAtomic(Snapshot([]))
    /// Whether the list may hold a filter: read by every frame that ends its tcx chain in NEXT
    /// with a plain load, where loading the list itself takes a 16-byte atomic and a retain.
    /// Set before a filter is published and cleared after the list is emptied, so a frame that
    /// reads false would have found the list empty.
    private let flagSlot = AtomicSlot.allocateBlock(1)
    private var mayHoldFilters: AtomicSlot { AtomicSlot(flagSlot, 0) }

    deinit { flagSlot.deallocate() }

    var filters: [ClassicFilter] { current.load(ordering: .acquiring).filters }

    /// Whether no filter is published (the datapath's quick check).
    var isEmpty: Bool { mayHoldFilters.loadAcquiring() == 0 }

    private func publish(_ next: [ClassicFilter]) {
        if !next.isEmpty { mayHoldFilters.storeReleasing(1) }
        current.store(Snapshot(next), ordering: .releasing)
        if next.isEmpty { mayHoldFilters.storeReleasing(0) }
    }

    /// Adds a filter; EEXIST when the priority and handle are taken. Filters run by ascending
    /// priority; within one priority cls_bpf runs the newest first (it adds at its list's
    /// head), whatever the handles.
    func add(_ filter: ClassicFilter) -> Bool {
        var next = filters
        if next.contains(where: { $0.priority == filter.priority && $0.handle == filter.handle }) { return false }
        next.insert(filter, at: next.firstIndex { $0.priority >= filter.priority } ?? next.endIndex)
        publish(next)
        return true
    }

    /// Removes the filter at (priority, handle) and returns it.
    func remove(priority: UInt16, handle: UInt32) -> ClassicFilter? {
        var next = filters
        guard let index = next.firstIndex(where: { $0.priority == priority && $0.handle == handle }) else { return nil }
        let removed = next.remove(at: index)
        publish(next)
        return removed
    }

    func removeAll() -> [ClassicFilter] {
        let old = filters
        publish([])
        return old
    }
}
