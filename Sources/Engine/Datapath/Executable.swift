import BPFCore
import BPFMaps
import BPFVM
import TCRuntime
import TCX

/// A loaded program in the form the VM executes: verified and compiled once at load time, with
/// the maps its instructions refer to, run with the tc context and helpers.
final class Executable: Sendable {
    let program: TCProgram
    let runner: TCProgramRunner
    /// `program.program.chainStep` (`ChainSteps`): one load per program of a frame's chain.
    /// Kept as its address (the step is immutable and lives with the program) for `Sendable`.
    private let chainStepAddress: UInt
    var chainStep: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: chainStepAddress) }

    init(spec: ProgramSpec, maps: [BPFMap], runner: TCProgramRunner) throws(TCXError) {
        do {
            program = try TCProgram(bytes: spec.instructions, maps: maps, globalFunctions: spec.globalFunctions,
                                    functionReturnsScalar: spec.functionReturnsScalar,
                                    type: spec.type, expectedAttachType: spec.expectedAttachType,
                                    executor: runner.kind, btf: spec.btf)
        } catch {
            throw TCXError(error.errno, "the verifier refused \(spec.name): \(error)")
        }
        self.runner = runner
        chainStepAddress = UInt(bitPattern: program.program.chainStep)
    }

    /// Runs the program on the frame's skb (its bytes and fields change as the program changes
    /// them). A run that faults — an access outside what it may touch — is an error: the
    /// kernel's verifier would never have let such a program run.
    @inline(__always)
    func run(_ frame: Frame, in sequence: inout TCRunSequence) throws(TCXError) -> ProgramRun {
        let outcome: TCRunOutcome
        do {
            outcome = try sequence.run(program, with: runner)
        } catch {
            throw TCXError(.EFAULT, "\(error)")
        }
        return finish(outcome, frame)
    }

    /// What a run that ended with `outcome` on `frame` gives the chain: the verdict, and the
    /// redirect unless a neighbour output took the packet.
    @inline(__always)
    func finish(_ outcome: TCRunOutcome, _ frame: Frame) -> ProgramRun {
        guard let target = outcome.redirect else { return ProgramRun(returnValue: outcome.verdict, redirect: nil) }
        if case .neighbour(let nextHop) = target.direction,
           NeighbourOutput.prepare(frame.skb, ifindex: target.ifindex, nextHop: nextHop,
                                   in: runner.services.network.snapshot) != nil {
            // The kernel frees (or parks) the packet: it goes nowhere now.
            return ProgramRun(returnValue: outcome.verdict, redirect: nil)
        }
        return ProgramRun(returnValue: outcome.verdict, redirect: Redirect(target))
    }
}

extension Redirect {
    /// bpf_redirect to a device's egress or (BPF_F_INGRESS) ingress; bpf_redirect_peer to the
    /// ingress of the device's peer, which `PacketFlow` resolves.
    init(_ target: RedirectTarget) {
        switch target.direction {
        case .egress, .neighbour: self.init(ifindex: target.ifindex, ingress: false)
        case .ingress: self.init(ifindex: target.ifindex, ingress: true)
        case .peer: self.init(ifindex: target.ifindex, ingress: true, peer: true)
        }
    }
}
