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
    /// The device the packet is at when the chain runs, and whether it is receiving.
    let device: Device
    let ingress: Bool
    var ifindex: UInt32 { device.ifindex }
}

extension WorldState {
    func datapathPlan(for target: HookTarget) throws(TCXError) -> DatapathPlan {
        let location = try location(of: target)
        switch location {
        case .tcx(let device, let type):
            return DatapathPlan(kind: .tcx, programs: location.hook.published, device: device,
                                ingress: type == .tcxIngress)
        case .netkit(let device):
            // netkit programs see the packet as already on the other device of the pair.
            return DatapathPlan(kind: .netkit(policy: device.netkitPolicy), programs: location.hook.published,
                                device: device.peerIfindex.flatMap { devices[$0] } ?? device, ingress: false)
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

/// Runs one hook's chain as the kernel's datapath does (spec §4.2, §5.4): the `run` command.
enum Datapath {
    static func run(_ plan: DatapathPlan, packet: [UInt8]) throws(TCXError) -> RunResult {
        let frame = Frame(packet)
        frame.arrive(at: plan.device, ingress: plan.ingress)
        let shard = DatapathThread.withCurrent { $0.shard }
        let outcome = ChainRunner.run(plan.programs, frame: frame, shard: shard)
        if let fault = outcome.fault { throw fault }
        let verdict: Verdict
        switch plan.kind {
        case .tcx: verdict = ChainRunner.tcxVerdict(outcome.last)
        case .netkit(let policy): verdict = ChainRunner.netkitVerdict(outcome.last, policy: policy)
        }
        let target = verdict == .redirect ? outcome.redirect?.ifindex : nil
        return RunResult(verdict: verdict.rawValue, trace: outcome.trace, redirectIfindex: target)
    }
}
