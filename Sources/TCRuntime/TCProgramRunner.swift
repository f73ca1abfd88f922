import BPFCore
import BPFVM

/// Runs tc programs on skbs. A value type with no mutable state: datapath threads share one and
/// call `run` concurrently, each with its own skb.
public struct TCProgramRunner: Sendable {
    /// One shared copy: a run holds a reference rather than copying a struct of closures.
    @usableFromInline private(set) var shared: SharedServices
    public var services: TCServices {
        get { shared.value }
        set { shared = SharedServices(newValue) }
    }
    /// The engine that runs programs; load them with the same kind (`TCProgram(..., executor:)`)
    /// for the JIT to run them as machine code.
    public let kind: ExecutorKind

    public init(services: TCServices = TCServices(), executor kind: ExecutorKind = .selected) {
        shared = SharedServices(services)
        self.kind = kind
    }

    /// Whether `other` runs programs the same way with the same services: programs of both may
    /// share one run (`TCRunSequence`).
    @inlinable
    public func sharesRuns(with other: TCProgramRunner) -> Bool {
        kind == other.kind && shared === other.shared
    }

    /// Runs `program` once on `skb`, which it leaves as the program left it (packet bytes,
    /// metadata the program wrote). Throws when the program faults (an access the kernel
    /// verifier would not have allowed, or too many instructions).
    public func run(_ program: TCProgram, on skb: SKBuff) throws(VMFault) -> TCRunOutcome {
        let run = TCRunPool.take(skb: skb, services: shared, type: program.type)
        run.programMaps = program.mapTable
        defer { TCRunPool.give(run) }
        // `skb` and `shared` (the run does not retain them) live for this call: a parameter and
        // a property of this immutable runner.
        return try once(program, run)
    }

    /// Runs `program` `count` times (at least once) on `skb`, each run seeing what the one
    /// before left, as the kernel's test-run repeats a program on one skb and one context;
    /// returns the last outcome.
    public func run(_ program: TCProgram, on skb: SKBuff, repeat count: UInt32) throws(VMFault) -> TCRunOutcome {
        let run = TCRunPool.take(skb: skb, services: shared, type: program.type)
        run.programMaps = program.mapTable
        defer { TCRunPool.give(run) }
        // The block set up once for all the repeats (context, environment, `JITRun`): each
        // repeat writes only what one program's run needs afresh, as a chain's programs do.
        prepare(run)
        var outcome = try onPrepared(program, run)
        var left = max(count, 1) - 1
        while left > 0 {
            run.rearm()
            outcome = try onPrepared(program, run)
            left -= 1
        }
        return outcome
    }

    @inline(__always)
    func once(_ program: TCProgram, _ run: TCRun) throws(VMFault) -> TCRunOutcome {
        let r0: UInt64
        // Called directly, not through the `ProgramExecutor` existential.
        switch kind {
        case .jit:
            r0 = try JITExecutor.run(program.program, RunInputs(context: run.context, packet: run.packet, scratch: run.scratch),
                                     environment: run.environment)
        case .interpreter:
            r0 = try Interpreter.run(program.program, context: run.context, packet: run.packet,
                                     environment: run.environment, r2: 0, scratch: run.scratch)
        }
        return try outcome(r0, run)
    }

    /// Gets `run`'s scratch ready for `onPrepared`: the context and environment written into
    /// the JIT's block once for a sequence of programs on one skb, not once per program.
    func prepare(_ run: TCRun) {
        guard kind == .jit else { return }
        JITExecutor.prepare(run.scratch, context: run.context, environment: run.environmentAddress)
    }

    /// `once` on a run `prepare` got ready (a program of a chain): the JIT enters the program's
    /// code with only the per-program state written.
    @inline(__always)
    func onPrepared(_ program: TCProgram, _ run: TCRun) throws(VMFault) -> TCRunOutcome {
        let r0: UInt64
        switch kind {
        case .jit:
            r0 = try JITExecutor.run(program.program, packet: run.packet, prepared: run.scratch)
        case .interpreter:
            r0 = try Interpreter.run(program.program, context: run.context, packet: run.packet,
                                     environment: run.environment, r2: 0, scratch: run.scratch)
        }
        return try outcome(r0, run)
    }

    /// What the run that returned `r0` ends with: the context stores taken in, the redirect.
    @inline(__always)
    func outcome(_ r0: UInt64, _ run: TCRun) throws(VMFault) -> TCRunOutcome {
        if run.contextWritten { run.absorbWrites() }
        if run.holdsSockets {
            // The kernel verifier refuses a program that can exit holding a socket reference.
            throw VMFault(instruction: 0, kind: .helper("the program exits holding a socket reference it never released"))
        }
        return TCRunOutcome(returnValue: r0, redirect: run.redirected ? run.redirect : nil)
    }
}

/// The services of a runner, held by reference.
@usableFromInline final class SharedServices: Sendable {
    let value: TCServices
    /// `value.processorID`, read by every per-CPU map access without copying `value`.
    let processorID: @Sendable () -> UInt32
    init(_ value: TCServices) {
        self.value = value
        processorID = value.processorID
    }
}
