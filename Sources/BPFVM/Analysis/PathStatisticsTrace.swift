#if canImport(Glibc)
import Glibc
#endif

/// With `TCX_VERIFIER_STATS` set in the environment, the path analysis prints what it did to
/// standard error in the words of the kernel's verifier log (`processed N insns ...
/// total_states N peak_states N`), after an acceptance or a refusal alike: to compare its
/// pruning with the kernel's on many programs (`tcx script --explain` captures both).
enum PathStatisticsTrace {
    static let enabled = environmentHas("TCX_VERIFIER_STATS")

    /// With `TCX_VERIFIER_TRACE` set, each pruning (`N: safe`, as the kernel's log level 2 says
    /// it) and each state kept (`N: kept`): to find where pruning parts from the kernel's.
    static let tracing = environmentHas("TCX_VERIFIER_TRACE")

    private static func environmentHas(_ name: String) -> Bool {
        #if canImport(Glibc)
        return getenv(name) != nil
        #else
        return false
        #endif
    }

    static func trace(_ event: String, at index: Int) {
        guard tracing else { return }
        let line = "\(index): \(event)\n"
        #if canImport(Glibc)
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        #endif
    }

    static func report(_ statistics: PathStatistics, refused: Bool) {
        guard enabled else { return }
        let outcome = refused ? " refused" : statistics.complete ? "" : " gave-up"
        let line = "embedded: processed \(statistics.processed) insns total_states \(statistics.totalStates) "
            + "peak_states \(statistics.peakStates) pruned \(statistics.pruned)\(outcome)\n"
        #if canImport(Glibc)
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        #endif
    }
}
