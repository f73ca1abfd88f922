import BPFCore
import BPFMaps
import BPFVM
#if canImport(Glibc)
import Glibc
#endif

/// One program test-run on the interpreter and on the JIT with everything else the same: the
/// packet, maps made and filled alike, services that answer alike (`DeterministicServices`).
/// The fuzzer (Tools/fuzz FuzzJITDifferential) and the property tests use it.
///
/// What may legitimately differ is ruled out, never forgiven after the fact:
/// - time, randomness, the CPU: the services; helpers that read the host's clocks themselves,
///   act later on another thread (timers) or signal the process are refused before any run
///   (`callsNondeterministic`);
/// - addresses and the thread: where the stack, packet and map values lie, or which thread
///   runs, is no outcome. A fault's address is left out, and a difference counts only when the
///   interpreter reproduces its own outcome on another thread with its own copy of the program,
///   maps and packet: a program whose result follows a leaked pointer or the thread fails that.
public struct EngineDifferential: Sendable {
    public let bytes: [UInt8]
    public let type: ProgramType
    public let packet: [UInt8]
    /// Test-run repeats on one skb (the JIT runs repeats on a prepared block).
    public let repeats: UInt32
    /// Makes the maps the program names, filled: called once per run, each run gets its own.
    public let makeMaps: @Sendable () -> [BPFMap]

    public init(bytes: [UInt8], type: ProgramType = .schedCLS, packet: [UInt8], repeats: UInt32 = 1,
                makeMaps: @escaping @Sendable () -> [BPFMap] = { [] }) {
        self.bytes = bytes
        self.type = type
        self.packet = packet
        self.repeats = repeats
        self.makeMaps = makeMaps
    }

    public enum Verdict: Equatable, Sendable {
        /// The verifier refused the program (both loads alike).
        case refused
        /// The JIT made no machine code, so its executor ran the interpreter: nothing to compare.
        case notCompiled
        case agree
        /// The engines differ, but so did the interpreter on another thread at other addresses.
        case layoutDependent
        /// A finding: the interpreter's load and the JIT's disagree on the program.
        case loadsDiffer(String)
        /// A finding: the same program, the same input, different outcomes.
        case differ(interpreter: EngineOutcome, jit: EngineOutcome)
    }

    public func compare() -> Verdict {
        let interpreted = run(on: .interpreter)
        let jitted = run(on: .jit)
        switch (interpreted, jitted) {
        case (.failure, .failure): return .refused
        case (.success, .failure(let reason)): return .loadsDiffer("the JIT's load refused it: \(reason)")
        case (.failure(let reason), .success): return .loadsDiffer("the interpreter's load refused it: \(reason)")
        case (.success(let interpreted), .success(let jitted)):
            guard jitted.compiled else { return .notCompiled }
            if interpreted.outcome == jitted.outcome { return .agree }
            guard case .success(let again)? = runOnAnotherThread(), again.outcome == interpreted.outcome else {
                return .layoutDependent
            }
            return .differ(interpreter: interpreted.outcome, jit: jitted.outcome)
        }
    }

    struct Report {
        var compiled: Bool
        var outcome: EngineOutcome
    }

    /// Loads the program afresh with maps of its own and test-runs it once on `kind`.
    func run(on kind: ExecutorKind) -> Result<Report, VMError> {
        let maps = makeMaps()
        let program: TCProgram
        do {
            program = try TCProgram(bytes: bytes, maps: maps, type: type, executor: kind)
        } catch {
            return .failure(error)
        }
        let services = DeterministicServices()
        let runner = TCProgramRunner(services: services.services, executor: kind)
        let ended: EngineOutcome.Ended
        do throws(TCTestRun.Failure) {
            let result = try TCTestRun.run(program, packet: packet, repeat: repeats, runner: runner)
            ended = .ran(returnValue: result.returnValue, packet: result.packet, metadata: result.metadata,
                         redirect: result.redirect)
        } catch {
            switch error {
            case .refused(let errno, let reason): ended = .refused("\(errno): \(reason)")
            case .fault(let fault): ended = .fault(instruction: fault.instruction, EngineOutcome.FaultKind(fault.kind))
            }
        }
        let outcome = EngineOutcome(ended: ended, maps: maps.map(EngineOutcome.MapContents.init), log: services.lines)
        return .success(Report(compiled: program.program.isCompiled, outcome: outcome))
    }

    /// The interpreter's run on a thread of its own: another scratch block, stack and context
    /// (each thread keeps its own), besides the copy of the program, maps and packet every run
    /// gets. nil when no thread could be started.
    func runOnAnotherThread() -> Result<Report, VMError>? {
        final class Box: @unchecked Sendable {
            // @unchecked: written by the thread, read after it is joined.
            let differential: EngineDifferential
            var report: Result<Report, VMError>?
            init(_ differential: EngineDifferential) { self.differential = differential }
        }
        let box = Box(self)
        let context = Unmanaged.passRetained(box)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            box.report = box.differential.run(on: .interpreter)
            return nil
        }, context.toOpaque())
        guard started == 0 else {
            context.release()
            return nil
        }
        pthread_join(thread, nil)
        return box.report
    }

    // MARK: The rule for helpers

    /// Helpers whose answers or effects do not follow from the program, its input and the
    /// run's services, so two runs may legitimately differ.
    public static let nondeterministicHelpers: Set<Int32> = [
        109, 117,  // send_signal(_thread): a real signal to this process
        160, 208,  // ktime_get_coarse_ns, ktime_get_tai_ns: the host's clocks, not the services'
        169, 170, 171, 172,  // timers: a callback runs later, on the timer thread
        KfuncTable.helperID(.sendSignalTask),  // the kfunc bpf_send_signal_task as the helper it becomes
    ]

    /// Kfuncs (`call` src 2) of the same kind: bpf_send_signal_task signals this process too.
    public static let nondeterministicKfuncs: Set<Int32> = [EmbeddedKfunc.sendSignalTask.rawValue]

    /// Whether any `call imm` names one of `nondeterministicHelpers` (whatever its src: a type
    /// loaded with the structural checks only may take any call for a helper's) or, as a kfunc
    /// call, one of `nondeterministicKfuncs`, or a `callx` picks its helper at run time, where no
    /// rule can see which.
    public static func callsNondeterministic(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset + 8 <= bytes.count {
            if bytes[offset] == 0x8d { return true }
            if bytes[offset] == 0x85 {
                let imm = Int32(bytes[offset + 4]) | Int32(bytes[offset + 5]) << 8
                    | Int32(bytes[offset + 6]) << 16 | Int32(bytes[offset + 7]) << 24
                if nondeterministicHelpers.contains(imm) { return true }
                if bytes[offset + 1] >> 4 == 2, nondeterministicKfuncs.contains(imm) { return true }
            }
            offset += 8
        }
        return false
    }
}
