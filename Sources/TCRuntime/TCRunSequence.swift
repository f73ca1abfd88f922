import BPFCore
import BPFVM

/// Programs run one after another on one skb (a tcx chain on one frame) on one run object: the
/// context is rendered once and stays current between them (helpers and the taking in of
/// stores keep it so), as the kernel's programs all read the one skb. Only what a program
/// received is dropped before the next (`TCRun.rearm`). The skb must outlive the sequence;
/// `end()` gives the run back.
public struct TCRunSequence {
    private unowned(unsafe) let skb: SKBuff
    /// The run taken from the pool (held: given back by `end()` or a restart).
    private var current: Unmanaged<TCRun>?
    /// The program type `current` was started for (nil before the first: reading a type's
    /// static `let` from another module is an accessor call per frame).
    private var type: ProgramType?

    /// `skb` borrowed (`__shared`): an owned argument cost the caller a retain and this a release.
    public init(skb: __shared SKBuff) {
        self.skb = skb
    }

    /// Runs `program` on the sequence's skb with `runner`, as `runner.run(program, on:)` does.
    public mutating func run(_ program: TCProgram, with runner: TCProgramRunner) throws(VMFault) -> TCRunOutcome {
        // Borrowed: `current` holds the run, a retain per program was a visible share of it.
        // The fault comes out through a local rather than an optional `Result`, which was moved
        // and destroyed through value witnesses per program. The types compared by their raw
        // values: `ProgramType`'s `==` is another module's, a call per program.
        if let current, type?.rawValue == program.type.rawValue, current._withUnsafeGuaranteedRef({ $0.shared === runner.shared }) {
            var fault: VMFault?
            let outcome = current._withUnsafeGuaranteedRef { run -> TCRunOutcome in
                do throws(VMFault) {
                    return try again(program, run, with: runner)
                } catch {
                    fault = error
                    return TCRunOutcome(returnValue: 0, redirect: nil)
                }
            }
            if let fault { throw fault }
            return outcome
        }
        return try start(program, with: runner)
    }

    @inline(__always)
    private func again(_ program: TCProgram, _ run: TCRun, with runner: TCProgramRunner) throws(VMFault) -> TCRunOutcome {
        run.rearm()
        run.programMaps = program.mapTable
        return try runner.onPrepared(program, run)
    }

    private mutating func start(_ program: TCProgram, with runner: TCProgramRunner) throws(VMFault) -> TCRunOutcome {
        // Borrowed, as in `run`: `current` holds it (a strong local was a retain per frame).
        var fault: VMFault?
        let outcome = begin(program, with: runner)._withUnsafeGuaranteedRef { run -> TCRunOutcome in
            do throws(VMFault) {
                return try runner.onPrepared(program, run)
            } catch {
                fault = error
                return TCRunOutcome(returnValue: 0, redirect: nil)
            }
        }
        if let fault { throw fault }
        return outcome
    }

    /// A run for `program` with `runner`, taken from the pool (the previous one given back);
    /// `current` holds it.
    private mutating func begin(_ program: TCProgram, with runner: TCProgramRunner) -> Unmanaged<TCRun> {
        if let previous = current { TCRunPool.give(retained: previous) }
        // The runner holds its services and the caller the skb until `end()`; the skb is lent
        // to the pool borrowed (loaded as a strong reference it was retained around the call).
        let taken = Unmanaged.passUnretained(skb)._withUnsafeGuaranteedRef { skb in
            Unmanaged.passRetained(TCRunPool.take(skb: skb, services: runner.shared, type: program.type))
        }
        current = taken
        type = program.type
        taken._withUnsafeGuaranteedRef { run in
            run.programMaps = program.mapTable
            // The JIT's block set up once for every program the sequence runs on this run.
            runner.prepare(run)
        }
        return taken
    }

    /// Runs programs of one type and one runner from machine code (`JITChain`): `steps` are
    /// their `VMProgram.chainStep`s in order, `first` the first of them. They run until one
    /// returns anything but NEXT, faults, or stores to the context (whose stores are then
    /// taken in, as after any program); returns what the last one entered ends with, as `run`
    /// does (and throws its fault), `ran` the programs entered. Nil, with `ran` 0, when the
    /// programs cannot run this way now (the interpreter, no routine, an skb with a socket,
    /// whose context a run renders on first read): run them one at a time.
    public mutating func runChain(_ steps: UnsafeBufferPointer<UnsafeRawPointer>, first: TCProgram,
                                  with runner: TCProgramRunner, ran: inout Int) throws(VMFault) -> TCRunOutcome? {
        ran = 0
        guard runner.kind == .jit, !skb.hasSocket, !steps.isEmpty else { return nil }
        let run: Unmanaged<TCRun>
        if let current, type?.rawValue == first.type.rawValue, current._withUnsafeGuaranteedRef({ $0.shared === runner.shared }) {
            current._withUnsafeGuaranteedRef { $0.rearm() }
            run = current
        } else {
            run = begin(first, with: runner)
        }
        // The fault comes out through a local, as in `run`.
        var fault: VMFault?
        let outcome = run._withUnsafeGuaranteedRef { run -> TCRunOutcome? in
            run.programMaps = first.mapTable
            let stop = UnsafeRawPointer(run.context.baseAddress.unsafelyUnwrapped + ContextDirectWriteFields.flagOffset)
            do throws(VMFault) {
                let r0 = try JITChain.run(steps, packet: run.packet, prepared: run.scratch, stop: stop, ran: &ran)
                guard ran > 0 else { return nil }
                return try runner.outcome(r0, run)
            } catch {
                fault = error
                return nil
            }
        }
        if let fault { throw fault }
        return outcome
    }

    /// Gives the run back; the sequence can start again.
    public mutating func end() {
        if let run = current { TCRunPool.give(retained: run) }
        current = nil
    }
}
