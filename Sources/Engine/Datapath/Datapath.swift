import BPFCore
import MultiProg
import TCX

/// What one `run` needs, captured under the control lock and then executed without it.
struct DatapathPlan: Sendable {
    enum Kind: Sendable {
        case tcx
        /// A netkit transmit: the policy decides when no program is attached.
        case netkit(policy: NetkitPolicy)
    }
    let kind: Kind
    let programs: PublishedArray<ProgramObject>
}

extension WorldState {
    func datapathPlan(for target: HookTarget) throws(TCXError) -> DatapathPlan {
        let location = try location(of: target)
        switch location {
        case .tcx:
            return DatapathPlan(kind: .tcx, programs: location.hook.published)
        case .netkit(let device):
            return DatapathPlan(kind: .netkit(policy: device.netkitPolicy), programs: location.hook.published)
        }
    }
}

/// One hook's chain as the datapath sees it. Running it takes no lock and waits for no control
/// operation: attach, detach and replace publish a new array while it runs, and each run sees
/// the old chain or the new one whole.
public struct HookChain: Sendable {
    let plan: DatapathPlan

    public func run(packet: [UInt8]) throws(TCXError) -> RunResult {
        try Datapath.run(plan, packet: packet)
    }
}

extension EmbeddedSystem {
    /// The chain of `target`, for datapath workers that run packets concurrently with changes.
    public func chain(for target: HookTarget) throws(TCXError) -> HookChain {
        HookChain(plan: try withWorld { world throws(TCXError) in try world.datapathPlan(for: target) })
    }
}

/// Runs a hook's chain as the kernel's datapath does (spec §4.2, §5.4).
enum Datapath {
    static func run(_ plan: DatapathPlan, packet: [UInt8]) throws(TCXError) -> RunResult {
        var frame = packet
        var trace: [UInt32] = []
        var last: Int32?
        var failure: TCXError?
        plan.programs.forEach { program in
            trace.append(program.id)
            do throws(TCXError) {
                let value = Int32(truncatingIfNeeded: try program.executable.run(packet: &frame))
                last = value
                return value == Verdict.next.rawValue
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        let verdict: Verdict
        switch plan.kind {
        case .tcx:
            // Every value but PASS, DROP and REDIRECT continues to classic tc, like NEXT.
            verdict = last.flatMap { Verdict(rawValue: $0) }.flatMap { $0 == .next ? nil : $0 } ?? .next
        case .netkit(let policy):
            if let last {
                switch last {
                case Verdict.next.rawValue, Verdict.pass.rawValue: verdict = .pass
                case Verdict.redirect.rawValue: verdict = .redirect
                default: verdict = .drop  // netkit drops unknown codes
                }
            } else {
                verdict = policy == .pass ? .pass : .drop
            }
        }
        return RunResult(verdict: verdict.rawValue, trace: trace, redirectIfindex: nil)
    }
}
