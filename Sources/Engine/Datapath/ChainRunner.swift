import BPFCore
import MultiProg
import TCRuntime
import TCX

/// Runs one published chain on a frame: programs in order until one returns anything but NEXT.
struct ChainOutcome {
    var trace: [UInt32] = []
    /// The last program's raw return value; nil when no program ran.
    var last: Int32?
    var redirect: Redirect?
    var fault: TCXError?
}

enum ChainRunner {
    /// `tracing`: whether `trace` lists the programs that ran; `shard`: the calling thread's
    /// copy of the counters.
    static func run(_ programs: PublishedArray<ProgramObject>, frame: Frame, tracing: Bool = true,
                    shard: CounterShard) -> ChainOutcome {
        var outcome = ChainOutcome()
        // One run object for the chain: the context rendered once per frame, not per program.
        var sequence = TCRunSequence(skb: frame.skb)
        defer { sequence.end() }
        let timed = RunTimeStatistics.enabled  // asked once per chain, not per program
        programs.forEach { program in
            // One allocation for the trace of most chains, none for an empty one.
            if tracing {
                if outcome.trace.isEmpty { outcome.trace.reserveCapacity(16) }
                outcome.trace.append(program.id)
            }
            do throws(TCXError) {
                let run = try program.run(frame, in: &sequence, timed: timed, shard: shard)
                outcome.last = run.returnValue
                outcome.redirect = run.redirect
                return run.returnValue == Verdict.next.rawValue
            } catch {
                outcome.fault = error
                return false
            }
        }
        return outcome
    }

    /// tcx's mapping (spec §4.2): PASS, DROP and REDIRECT stand; NEXT and every other value
    /// continue to classic tc as NEXT.
    static func tcxVerdict(_ last: Int32?) -> Verdict {
        switch last {
        case Verdict.pass.rawValue: .pass
        case Verdict.drop.rawValue: .drop
        case Verdict.redirect.rawValue: .redirect
        default: .next
        }
    }

    /// netkit's mapping (spec §5.4): NEXT and PASS forward, REDIRECT redirects, anything else
    /// drops; with no program the device's policy decides.
    static func netkitVerdict(_ last: Int32?, policy: NetkitPolicy) -> Verdict {
        guard let last else { return policy == .pass ? .pass : .drop }
        switch last {
        case Verdict.next.rawValue, Verdict.pass.rawValue: return .pass
        case Verdict.redirect.rawValue: return .redirect
        default: return .drop
        }
    }
}

extension ProgramObject {
    /// Runs the program once on `frame`, counting the run in `shard` (and timing it while
    /// `RunTimeStatistics` is enabled).
    func run(_ frame: Frame, shard: CounterShard) throws(TCXError) -> ProgramRun {
        var sequence = TCRunSequence(skb: frame.skb)
        defer { sequence.end() }
        return try run(frame, in: &sequence, timed: RunTimeStatistics.enabled, shard: shard)
    }

    /// The same as one of a sequence of programs on the frame (a chain); `timed`: whether
    /// `RunTimeStatistics` is enabled. Inlined into the chain's loop with `Executable.run`:
    /// two calls per program were a visible share of a `return NEXT` program.
    @inline(__always)
    func run(_ frame: Frame, in sequence: inout TCRunSequence, timed: Bool,
             shard: CounterShard) throws(TCXError) -> ProgramRun {
        guard timed else {
            let run = try executable.run(frame, in: &sequence)
            counters.record(returnValue: run.returnValue, nanoseconds: 0, in: shard)
            return run
        }
        return try timedRun(frame, in: &sequence, shard: shard)
    }

    /// `run` with the clock read around it: out of line, so the untimed path of every program
    /// does not make room for the clock's instants (a metadata call each time).
    @inline(never)
    private func timedRun(_ frame: Frame, in sequence: inout TCRunSequence,
                          shard: CounterShard) throws(TCXError) -> ProgramRun {
        let start = ContinuousClock.now
        let run = try executable.run(frame, in: &sequence)
        let elapsed = ContinuousClock.now - start
        counters.record(returnValue: run.returnValue,
                        nanoseconds: UInt64(elapsed.components.attoseconds / 1_000_000_000) + UInt64(elapsed.components.seconds) * 1_000_000_000,
                        in: shard)
        return run
    }
}
