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
final class ClassicFilterList: Sendable {
    final class Snapshot: AtomicReference, Sendable {
        let filters: [ClassicFilter]
        init(_ filters: [ClassicFilter]) { self.filters = filters }
    }

    private let current = ManagedAtomic(Snapshot([]))

    var filters: [ClassicFilter] { current.load(ordering: .acquiring).filters }

    /// Adds a filter; EEXIST when the priority and handle are taken. Filters run by ascending
    /// priority; within one priority cls_bpf runs the newest first (it adds at its list's
    /// head), whatever the handles.
    func add(_ filter: ClassicFilter) -> Bool {
        var next = filters
        if next.contains(where: { $0.priority == filter.priority && $0.handle == filter.handle }) { return false }
        next.insert(filter, at: next.firstIndex { $0.priority >= filter.priority } ?? next.endIndex)
        current.store(Snapshot(next), ordering: .releasing)
        return true
    }

    /// Removes the filter at (priority, handle) and returns it.
    func remove(priority: UInt16, handle: UInt32) -> ClassicFilter? {
        var next = filters
        guard let index = next.firstIndex(where: { $0.priority == priority && $0.handle == handle }) else { return nil }
        let removed = next.remove(at: index)
        current.store(Snapshot(next), ordering: .releasing)
        return removed
    }

    func removeAll() -> [ClassicFilter] {
        let old = filters
        current.store(Snapshot([]), ordering: .releasing)
        return old
    }
}
