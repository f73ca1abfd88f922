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

    /// Adds a program that ran to the trace: one allocation for most chains.
    mutating func append(_ id: UInt32) {
        if trace.isEmpty { trace.reserveCapacity(16) }
        trace.append(id)
    }
}

enum ChainRunner {
    /// `tracing`: whether `trace` lists the programs that ran; `shard`: the calling thread's
    /// copy of the counters. Consecutive compiled programs that fit a chain step run in one
    /// pass of machine code (`ChainSteps`); the others one at a time.
    static func run(_ programs: PublishedArray<ProgramObject>, frame: Frame, tracing: Bool = true,
                    shard: CounterShard) -> ChainOutcome {
        var outcome = ChainOutcome()
        // One run object for the chain: the context rendered once per frame, not per program.
        // Ended before the return, not in a `defer`: a deferred end made the result a copy of
        // `outcome` (a retain and a release of its trace and fault per frame).
        var sequence = TCRunSequence(skb: frame.skb)
        let timed = RunTimeStatistics.enabled  // asked once per chain, not per program
        programs.withPublished { list in
            // Timed runs keep the clock around each program: one at a time.
            var chained = !timed
            var index = 0
            while let next = list[index] {
                // A pass needs two programs at least: the last one runs on its own at once.
                if chained, list[index + 1] != nil {
                    switch ChainSteps.run(list, from: index, frame: frame, in: &sequence, outcome: &outcome,
                                          tracing: tracing, shard: shard) {
                    case .ran(let count, let goOn):
                        guard goOn else { return }
                        index += count
                        continue
                    case .unfit:
                        break
                    case .notNow:
                        chained = false
                    }
                }
                let goOn = next._withUnsafeGuaranteedRef { program in
                    runOne(program, frame: frame, in: &sequence, timed: timed, outcome: &outcome,
                           tracing: tracing, shard: shard)
                }
                guard goOn else { return }
                index += 1
            }
        }
        sequence.end()
        return outcome
    }

    /// Runs `program` on its own; whether the chain goes on.
    @inline(__always)
    private static func runOne(_ program: ProgramObject, frame: Frame, in sequence: inout TCRunSequence, timed: Bool,
                               outcome: inout ChainOutcome, tracing: Bool, shard: CounterShard) -> Bool {
        // One allocation for the trace of most chains, none for an empty one.
        if tracing { outcome.append(program.id) }
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
