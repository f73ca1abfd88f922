import BPFCore
#if canImport(Glibc)
import Glibc
#endif

/// Finished runs kept per thread, so a run allocates nothing: the `TCRun` object, its context
/// and socket blocks and its environment were a quarter of a short test-run. A run started
/// inside another (a helper running a program) takes a second one.
enum TCRunPool {
    /// The runs a thread has free, freed with the thread.
    private final class FreeRuns {
        @exclusivity(unchecked) var runs: [TCRun] = []
    }

    /// Runs a thread keeps; more are freed when given back.
    private static let kept = 2

    private static let freeRuns = ThreadLocalObject("the runs") { FreeRuns() }

    private static func withFreeRuns<T>(_ body: (FreeRuns) -> T) -> T { freeRuns.with(body) }

    /// A run started on `skb`; the caller holds `skb` and `services` until it gives the run back.
    static func take(skb: SKBuff, services: SharedServices, type: ProgramType) -> TCRun {
        if let run = withFreeRuns({ $0.runs.popLast() }) {
            run.restart(skb: skb, services: services, type: type)
            return run
        }
        return TCRun(skb: skb, services: services, type: type)
    }

    /// `give` for a run held as a retained reference (`TCRunSequence`): the pool takes that
    /// reference over, where passing the run made the pool's copy a retain of its own (and
    /// the caller's reference a release) per frame.
    static func give(retained run: Unmanaged<TCRun>) {
        run._withUnsafeGuaranteedRef { run in
            run.finish()
            run.programMaps = nil
        }
        let taken = withFreeRuns { free -> Bool in
            guard free.runs.count < kept else { return false }
            free.runs.append(run.takeRetainedValue())
            return true
        }
        if !taken { run.release() }
    }

    /// Ends `run` and keeps it for the next one on this thread.
    static func give(_ run: TCRun) {
        run.finish()
        run.programMaps = nil
        withFreeRuns { free in
            if free.runs.count < kept { free.runs.append(run) }
        }
    }
}
