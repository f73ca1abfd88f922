import BPFCore
import BPFVM

/// Programs run one after another on one skb (a tcx chain on one frame) on one run object: the
/// context is rendered once and stays current between them (helpers and the taking in of
/// stores keep it so), as the kernel's programs all read the one skb. Only what a program
/// received is dropped before the next (`TCRun.rearm`). The skb must outlive the sequence;
/// `end()` gives the run back.
public struct TCRunSequence {
    private unowned(unsafe) let skb: SKBuff
    private var current: TCRun?
    private var type = ProgramType.schedCLS

    public init(skb: SKBuff) {
        self.skb = skb
    }

    /// Runs `program` on the sequence's skb with `runner`, as `runner.run(program, on:)` does.
    public mutating func run(_ program: TCProgram, with runner: TCProgramRunner) throws(VMFault) -> TCRunOutcome {
        if let run = current, run.shared === runner.shared, type == program.type {
            run.rearm()
            run.programMaps = program.mapTable
            return try runner.once(program, run)
        }
        if let previous = current { TCRunPool.give(previous) }
        // The runner holds its services and the caller the skb until `end()`.
        let run = TCRunPool.take(skb: skb, services: runner.shared, type: program.type)
        run.programMaps = program.mapTable
        current = run
        type = program.type
        return try runner.once(program, run)
    }

    /// Gives the run back; the sequence can start again.
    public mutating func end() {
        if let run = current { TCRunPool.give(run) }
        current = nil
    }
}
