import Synchronization

/// A total that several threads may add to; it stops at UInt64.max rather than wrap.
final class ManagedCounter: Sendable {
    private let total = Mutex<UInt64>(0)

    func add(_ count: UInt64) {
        total.withLock { total in
            let (sum, overflow) = total.addingReportingOverflow(count)
            total = overflow ? .max : sum
        }
    }

    var value: UInt64 { total.withLock { $0 } }
}
