import Atomics

/// Whether datapath runs are timed, as the kernel's `bpf_stats_enabled`: counting runs and
/// verdicts is always on and cheap; reading the clock twice per program run is not, so it
/// happens only while someone asked for it (the replay, whose report shows ns per run).
public enum RunTimeStatistics {
    private static let requests = ManagedAtomic<Int>(0)

    static var enabled: Bool { requests.load(ordering: .relaxed) > 0 }

    /// Times every program run while `body` runs (requests nest, from any thread).
    public static func whileEnabled<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        requests.wrappingIncrement(ordering: .relaxed)
        defer { requests.wrappingDecrement(ordering: .relaxed) }
        return try body()
    }
}
