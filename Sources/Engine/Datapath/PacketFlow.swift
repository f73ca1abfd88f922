import BPFCore
import TCX

/// What happened at one hook a packet passed.
public struct HookPass: Hashable, Sendable {
    public enum Hook: Hashable, Sendable {
        case tcxIngress, tcxEgress, classicIngress, classicEgress, netkit
    }
    public let ifindex: UInt32
    public let hook: Hook
    /// The programs that ran, by id, in order.
    public let trace: [UInt32]
    public let verdict: Verdict
}

/// Where a packet ended.
public enum PacketFate: Hashable, Sendable {
    /// Handed to a device's local stack.
    case delivered(ifindex: UInt32)
    /// Dropped at a device, with the reason.
    case dropped(ifindex: UInt32, reason: String)
    /// Taken by a classic action (STOLEN, QUEUED, TRAP) or freed after REDIRECT with no target.
    case consumed(ifindex: UInt32)
}

/// One packet's whole path.
public struct PacketPath: Hashable, Sendable {
    public var hooks: [HookPass] = []
    public var fate: PacketFate = .consumed(ifindex: 0)
}

/// Receives what devices deliver, send and drop (for captures).
public protocol PacketSink: Sendable {
    func delivered(_ frame: [UInt8], at ifindex: UInt32)
    func sent(_ frame: [UInt8], from ifindex: UInt32)
    func dropped(_ frame: [UInt8], at ifindex: UInt32, reason: String)
}

/// Moves frames through devices as the kernel does (spec §4, §5.4): ingress runs tcx then
/// classic tc, then the local stack; egress runs tcx then classic tc, then the device transmits
/// (veth to its peer's ingress, lo back to its own ingress, netkit through its programs first).
struct PacketFlow {
    let topology: Topology
    /// The sink in a box, so a flow without one copies and destroys a null reference (an
    /// optional existential went through value witnesses each time, per frame).
    private let sinkBox: SinkBox?
    var sink: (any PacketSink)? { sinkBox?.sink }

    final class SinkBox {
        let sink: any PacketSink
        init(_ sink: any PacketSink) { self.sink = sink }
    }

    /// Whether the path records each hook with the programs that ran (`send`); a datapath that
    /// wants only the fate (`forward`) skips the traces and their allocations.
    let recordsHooks: Bool
    /// The sending thread's copy of the counters (`CounterShards`).
    let shard: CounterShard

    /// The sink comes boxed (nil: none), so a flow without one copies no existential.
    init(topology: Topology, sinkBox: SinkBox?, recordsHooks: Bool, shard: CounterShard) {
        self.topology = topology
        self.sinkBox = sinkBox
        self.recordsHooks = recordsHooks
        self.shard = shard
    }
    /// Redirects and device hops one packet may take before it is dropped as a loop (the
    /// kernel's transmit recursion limit).
    static let hopLimit = 8

    func receive(_ frame: Frame, at ifindex: UInt32, path: inout PacketPath, hops: Int) {
        // The device borrowed from the topology, which holds it: taken out, it was a retain
        // and a release per frame and hop.
        let found: Bool? = topology.withDevice(ifindex) { device in
            receive(frame, at: device, path: &path, hops: hops)
            return true
        }
        if found == nil { drop(frame, at: ifindex, "no device has ifindex \(ifindex)", path: &path) }
    }

    private func receive(_ frame: Frame, at device: Device, path: inout PacketPath, hops: Int) {
        let ifindex = device.ifindex
        device.counters.count(.rxPackets, in: shard)
        frame.arrive(at: device, ingress: true)
        let decision = runTCX(device, ingress: true, frame, path: &path)
        sendClones(of: frame, hops: hops)
        switch decision {
        case .deliver:
            sink?.delivered(frame.capturedBytes, at: ifindex)
            path.fate = .delivered(ifindex: ifindex)
        case .drop(let reason):
            device.counters.count(.rxDropped, in: shard)
            drop(frame, at: ifindex, reason, path: &path)
        case .consume:
            path.fate = .consumed(ifindex: ifindex)
        case .redirect(let target):
            follow(target, frame, from: ifindex, path: &path, hops: hops)
        }
    }

    func transmit(_ frame: Frame, from ifindex: UInt32, path: inout PacketPath, hops: Int) {
        // Borrowed, as in `receive` (written out in both: one helper taking the body as a
        // closure cost ~130 instructions per frame).
        let found: Bool? = topology.withDevice(ifindex) { device in
            transmit(frame, from: device, path: &path, hops: hops)
            return true
        }
        if found == nil { drop(frame, at: ifindex, "no device has ifindex \(ifindex)", path: &path) }
    }

    private func transmit(_ frame: Frame, from device: Device, path: inout PacketPath, hops: Int) {
        let ifindex = device.ifindex
        frame.arrive(at: device, ingress: false)
        let decision = runTCX(device, ingress: false, frame, path: &path)
        sendClones(of: frame, hops: hops)
        switch decision {
        case .deliver:
            wire(device, frame, path: &path, hops: hops)
        case .drop(let reason):
            device.counters.count(.txDropped, in: shard)
            drop(frame, at: ifindex, reason, path: &path)
        case .consume:
            path.fate = .consumed(ifindex: ifindex)
        case .redirect(let target):
            follow(target, frame, from: ifindex, path: &path, hops: hops)
        }
    }

    // MARK: Devices

    /// The device puts the frame on its "wire".
    private func wire(_ device: Device, _ frame: Frame, path: inout PacketPath, hops: Int) {
        guard hops < Self.hopLimit else {
            return drop(frame, at: device.ifindex, "more than \(Self.hopLimit) device hops", path: &path)
        }
        switch device.kind {
        case .loopback:
            sent(device, frame)
            receive(frame, at: device.ifindex, path: &path, hops: hops + 1)
        case .veth:
            guard let peer = device.peerIfindex, topology.device(peer) != nil else {
                device.counters.count(.txDropped, in: shard)
                return drop(frame, at: device.ifindex, "the peer is gone", path: &path)
            }
            sent(device, frame)
            frame.scrub()
            receive(frame, at: peer, path: &path, hops: hops + 1)
        case .netkitPrimary, .netkitPeer:
            netkitTransmit(device, frame, path: &path, hops: hops)
        case .other:
            // The engine creates no other kind; a frame sent there leaves the world.
            sent(device, frame)
        }
    }

    /// netkit's transmit (spec §5.4): the device's own programs decide, else its policy.
    private func netkitTransmit(_ device: Device, _ frame: Frame, path: inout PacketPath, hops: Int) {
        guard let peer = device.peerIfindex, topology.device(peer) != nil, frame.skb.length >= 14 else {
            device.counters.count(.txDropped, in: shard)
            return drop(frame, at: device.ifindex, "netkit cannot transmit: no peer or a runt frame", path: &path)
        }
        frame.metadata.ifindex = peer  // netkit programs see the packet on the other device
        let outcome = ChainRunner.run(device.netkitHook!.published, frame: frame, tracing: recordsHooks, shard: shard)
        sendClones(of: frame, hops: hops)
        let verdict = outcome.fault == nil
            ? ChainRunner.netkitVerdict(outcome.last, policy: device.netkitPolicy) : .drop
        if recordsHooks {
            path.hooks.append(HookPass(ifindex: device.ifindex, hook: .netkit, trace: outcome.trace, verdict: verdict))
        }
        switch verdict {
        case .pass, .next:
            sent(device, frame)
            frame.scrub()
            receive(frame, at: peer, path: &path, hops: hops + 1)
        case .redirect:
            device.counters.count(.txPackets, in: shard)
            guard let target = outcome.redirect else { return path.fate = .consumed(ifindex: device.ifindex) }
            follow(target, frame, from: device.ifindex, path: &path, hops: hops)
        case .drop:
            device.counters.count(.txDropped, in: shard)
            drop(frame, at: device.ifindex, outcome.fault.map { "program fault: \($0)" } ?? "netkit drop", path: &path)
        }
    }

    private func sent(_ device: Device, _ frame: Frame) {
        device.counters.count(.txPackets, in: shard)
        sink?.sent(frame.capturedBytes, from: device.ifindex)
    }

    private func follow(_ target: Redirect?, _ frame: Frame, from ifindex: UInt32,
                        path: inout PacketPath, hops: Int) {
        // REDIRECT without a redirect helper call: the kernel frees the packet.
        guard let target else { return path.fate = .consumed(ifindex: ifindex) }
        guard hops < Self.hopLimit else {
            return drop(frame, at: ifindex, "redirect loop: more than \(Self.hopLimit) hops", path: &path)
        }
        if target.peer {
            guard let peer = topology.device(target.ifindex)?.peerIfindex else {
                return drop(frame, at: ifindex, "redirect_peer to a device without a peer", path: &path)
            }
            frame.scrub()
            receive(frame, at: peer, path: &path, hops: hops + 1)
        } else if target.ingress {
            frame.scrub()
            receive(frame, at: target.ifindex, path: &path, hops: hops + 1)
        } else {
            transmit(frame, from: target.ifindex, path: &path, hops: hops + 1)
        }
    }

    private func drop(_ frame: Frame, at ifindex: UInt32, _ reason: String, path: inout PacketPath) {
        sink?.dropped(frame.capturedBytes, at: ifindex, reason: reason)
        path.fate = .dropped(ifindex: ifindex, reason: reason)
    }

    // MARK: Hooks

    private enum HookDecision {
        case deliver
        case drop(String)
        case consume
        case redirect(Redirect?)
    }

    /// tcx, then classic tc when tcx says NEXT (spec §4.3).
    /// (`ingress` rather than an `AttachType`: comparing those reads a global per frame.)
    private func runTCX(_ device: Device, ingress: Bool, _ frame: Frame,
                        path: inout PacketPath) -> HookDecision {
        // One call per branch: choosing the hook first made a copy of it (a retain per frame).
        // The chain borrowed (`Device.ingressChain`): the device holds its hooks.
        let outcome = ingress
            ? Unmanaged.passUnretained(device.ingressChain)._withUnsafeGuaranteedRef {
                ChainRunner.run($0, frame: frame, tracing: recordsHooks, shard: shard)
            }
            : Unmanaged.passUnretained(device.egressChain)._withUnsafeGuaranteedRef {
                ChainRunner.run($0, frame: frame, tracing: recordsHooks, shard: shard)
            }
        if let fault = outcome.fault {
            if recordsHooks {
                path.hooks.append(HookPass(ifindex: device.ifindex, hook: ingress ? .tcxIngress : .tcxEgress,
                                           trace: outcome.trace, verdict: .drop))
            }
            return .drop("program fault: \(fault)")
        }
        let verdict = ChainRunner.tcxVerdict(outcome.last)
        if !outcome.trace.isEmpty {
            path.hooks.append(HookPass(ifindex: device.ifindex, hook: ingress ? .tcxIngress : .tcxEgress,
                                       trace: outcome.trace, verdict: verdict))
        }
        switch verdict {
        case .pass: return .deliver
        case .drop: return .drop(ingress ? "tc ingress" : "tc egress")
        case .redirect: return .redirect(outcome.redirect)
        case .next: return runClassic(device, ingress: ingress, frame, path: &path)
        }
    }

    /// Classic cls_bpf filters in direct-action mode, by priority: the first that returns
    /// anything but UNSPEC (-1) decides.
    private func runClassic(_ device: Device, ingress: Bool, _ frame: Frame,
                            path: inout PacketPath) -> HookDecision {
        // The flag read in place: choosing the list first made a copy of it (a retain per frame).
        guard ingress ? !device.classicIngress.isEmpty : !device.classicEgress.isEmpty else { return .deliver }
        let filters = ingress ? device.classicIngress.filters : device.classicEgress.filters
        guard !filters.isEmpty else { return .deliver }
        var trace: [UInt32] = []
        var decision = HookDecision.deliver
        var verdict = Verdict.next
        for filter in filters {
            if recordsHooks { trace.append(filter.program.id) }
            guard let run = try? filter.program.run(frame, shard: shard) else {
                decision = .drop("program fault")
                verdict = .drop
                break
            }
            if run.returnValue == -1 { continue }  // TC_ACT_UNSPEC: try the next filter
            switch run.returnValue {
            case 2: decision = .drop("classic tc shot"); verdict = .drop  // SHOT
            case 7: decision = .redirect(run.redirect); verdict = .redirect  // REDIRECT
            case 4, 5, 8: decision = .consume  // STOLEN, QUEUED, TRAP
            default: decision = .deliver; verdict = .pass  // OK, RECLASSIFY, PIPE, …: continue
            }
            break
        }
        if recordsHooks {
            path.hooks.append(HookPass(ifindex: device.ifindex, hook: ingress ? .classicIngress : .classicEgress,
                                       trace: trace, verdict: verdict))
        }
        return decision
    }
}
