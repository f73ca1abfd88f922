import BPFCore
import BPFVM
import MultiProg
import TCRuntime
import TCX

/// Consecutive programs of a chain run in one pass of machine code (`TCRunSequence.runChain`,
/// `JITChain`): one entry per frame for a run of compiled programs that call no helper, rather
/// than three Swift layers per program. The programs that ran are counted and traced as one at
/// a time would count them: every one but the last returned NEXT.
enum ChainSteps {
    enum Pass {
        /// `count` programs ran; whether the chain goes on after them.
        case ran(count: Int, goOn: Bool)
        /// The program at the start is not one a pass runs: run it on its own.
        case unfit
        /// No pass can run on this frame (the interpreter, an skb with a socket): run every
        /// program on its own.
        case notNow
    }

    /// Runs the programs from `start` that fit one pass (compiled, no helper calls:
    /// `VMProgram.chainStep`; one program type and one runner; at least two), their steps
    /// gathered in `steps`.
    static func run(_ list: PublishedPrograms<ProgramObject>, from start: Int, frame: Frame,
                    in sequence: inout TCRunSequence, outcome: inout ChainOutcome, tracing: Bool,
                    shard: CounterShard) -> Pass {
        // On the stack: a chain holds at most 63 programs.
        withUnsafeTemporaryAllocation(of: UnsafeRawPointer.self, capacity: PublishedArray<ProgramObject>.capacity) { steps in
            run(list, from: start, steps: steps, frame: frame, in: &sequence, outcome: &outcome, tracing: tracing,
                shard: shard)
        }
    }

    @inline(__always)
    private static func run(_ list: PublishedPrograms<ProgramObject>, from start: Int,
                            steps: UnsafeMutableBufferPointer<UnsafeRawPointer>, frame: Frame,
                            in sequence: inout TCRunSequence, outcome: inout ChainOutcome, tracing: Bool,
                            shard: CounterShard) -> Pass {
        guard let first = list[start] else { return .unfit }
        var ran = 0, count = 0
        var fault: VMFault?
        // The fault comes out through a local: the closure's error type would be erased.
        let last = first._withUnsafeGuaranteedRef { head -> TCRunOutcome? in
            let executable = head.executable
            // One program alone enters its code directly: cheaper than the routine around it.
            count = gather(list, from: start, head: executable, into: steps)
            guard count > 1 else { return nil }
            do throws(VMFault) {
                return try sequence.runChain(UnsafeBufferPointer(rebasing: steps[0..<count]), first: executable.program,
                                             with: executable.runner, ran: &ran)
            } catch {
                fault = error
                return nil
            }
        }
        // No pass formed (no step, or one program alone): unfit; else the sequence declined.
        guard ran > 0 else { return count > 1 ? .notNow : .unfit }
        // Every program before the last returned NEXT.
        for k in 0..<ran - 1 {
            list[start + k]?._withUnsafeGuaranteedRef { program in
                if tracing { outcome.append(program.id) }
                program.counters.record(returnValue: Verdict.next.rawValue, nanoseconds: 0, in: shard)
            }
        }
        var goOn = false
        list[start + ran - 1]?._withUnsafeGuaranteedRef { program in
            if tracing { outcome.append(program.id) }
            if let fault {
                outcome.fault = TCXError(.EFAULT, "\(fault)")
            } else if let last {
                let run = program.executable.finish(last, frame)
                program.counters.record(returnValue: run.returnValue, nanoseconds: 0, in: shard)
                outcome.last = run.returnValue
                outcome.redirect = run.redirect
                goOn = run.returnValue == Verdict.next.rawValue
            }
        }
        return .ran(count: ran, goOn: goOn)
    }

    /// Writes the steps of the programs from `start` that can share `head`'s pass; how many.
    @inline(__always)
    private static func gather(_ list: PublishedPrograms<ProgramObject>, from start: Int, head: Executable,
                               into steps: UnsafeMutableBufferPointer<UnsafeRawPointer>) -> Int {
        guard let step = head.chainStep else { return 0 }
        steps[0] = step
        let type = head.program.type.rawValue
        var count = 1
        while count < steps.count, let next = list[start + count] {
            let fits = next._withUnsafeGuaranteedRef { program -> Bool in
                let executable = program.executable
                guard let step = executable.chainStep, executable.program.type.rawValue == type,
                      executable.runner.sharesRuns(with: head.runner) else { return false }
                steps[count] = step
                return true
            }
            guard fits else { break }
            count += 1
        }
        return count
    }
}
