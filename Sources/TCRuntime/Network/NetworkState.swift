import Synchronization

/// The world's network state, shared by the control side (which changes it) and program runs
/// (which read a consistent copy at each helper call).
public final class NetworkState: Sendable {
    private let state: Mutex<NetworkSnapshot>

    public init(_ initial: NetworkSnapshot = NetworkSnapshot()) {
        state = Mutex(initial)
    }

    public var snapshot: NetworkSnapshot { state.withLock { $0 } }

    public func update<T: Sendable>(_ body: (inout NetworkSnapshot) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
