import BPFCore
import TCX

/// The datapath of the embedded world: frames through devices, classic tc, statistics.
extension EmbeddedSystem {
    public enum Direction: Sendable {
        /// The frame arrives at the device (its ingress).
        case ingress
        /// The device sends the frame (its egress).
        case egress
    }

    /// Sends one frame into a device and follows it wherever the programs and devices take it.
    /// Takes no control lock: any number of threads may call it while hooks change.
    public func send(_ bytes: [UInt8], device ifindex: UInt32, _ direction: Direction,
                     sink: (any PacketSink)?) -> PacketPath {
        follow(bytes, device: ifindex, direction, sink: sink.map(PacketFlow.SinkBox.init), recordsHooks: true)
    }

    /// `send` with no sink. (A defaulted `nil` sink was an optional existential made and
    /// destroyed through value witnesses at every call: a visible share of an empty hook.)
    public func send(_ bytes: [UInt8], device ifindex: UInt32, _ direction: Direction) -> PacketPath {
        follow(bytes, device: ifindex, direction, sink: nil, recordsHooks: true)
    }

    /// Sends one frame as `send` does and returns only where it ended: the hooks it passed are
    /// not recorded, so a frame allocates nothing (what a datapath worker that needs no
    /// trace, like the kernel's, uses).
    public func forward(_ bytes: [UInt8], device ifindex: UInt32, _ direction: Direction,
                        sink: (any PacketSink)?) -> PacketFate {
        follow(bytes, device: ifindex, direction, sink: sink.map(PacketFlow.SinkBox.init), recordsHooks: false).fate
    }

    /// `forward` with no sink. A frame nothing sees returns its fate as it is found, without a
    /// path made and taken apart around it.
    public func forward(_ bytes: [UInt8], device ifindex: UInt32, _ direction: Direction) -> PacketFate {
        DatapathThread.withCurrent { thread in
            published.withTopology(on: thread) { topology in
                if let fate = PacketFlow.unobservedFate(at: ifindex, ingress: direction == .ingress, in: topology,
                                                        shard: thread.shard) {
                    return fate
                }
                return walk(bytes, device: ifindex, direction, thread: thread, topology: topology, sink: nil,
                            recordsHooks: false).fate
            }
        }
    }

    /// `sink` boxed once per frame (nil: none), so the flow copies a reference, not an existential.
    @inline(__always)
    private func follow(_ bytes: [UInt8], device ifindex: UInt32, _ direction: Direction,
                        sink: PacketFlow.SinkBox?, recordsHooks: Bool) -> PacketPath {
        // The thread's skb and device table: a frame allocates nothing of its own.
        DatapathThread.withCurrent { thread in
            published.withTopology(on: thread) { topology in
                // Nothing will see the frame on its way: no skb to prepare (UnobservedFrames.swift).
                if sink == nil,
                   let fate = PacketFlow.unobservedFate(at: ifindex, ingress: direction == .ingress, in: topology,
                                                         shard: thread.shard) {
                    return PacketPath(hooks: [], fate: fate)
                }
                return walk(bytes, device: ifindex, direction, thread: thread, topology: topology, sink: sink,
                            recordsHooks: recordsHooks)
            }
        }
    }

    /// The whole path of a frame from its start, on one of `thread`'s skbs.
    @inline(__always)
    private func walk(_ bytes: [UInt8], device ifindex: UInt32, _ direction: Direction, thread: DatapathThread,
                      topology: Topology, sink: PacketFlow.SinkBox?, recordsHooks: Bool) -> PacketPath {
        let flow = PacketFlow(topology: topology, sinkBox: sink, recordsHooks: recordsHooks, shard: thread.shard)
        var skb = thread.skb(holding: bytes)
        var path = PacketPath()
        switch direction {
        case .ingress: flow.receive(Frame(on: skb), at: ifindex, path: &path, hops: 0)
        case .egress: flow.transmit(Frame(on: skb), from: ifindex, path: &path, hops: 0)
        }
        thread.give(&skb)
        return path
    }

    /// Adds a classic tc filter (cls_bpf, direct action) at `priority`/`handle`, run when the
    /// device's tcx chain ends in NEXT. EEXIST when that priority and handle are taken.
    public func addClassicFilter(_ program: Handle, device ifindex: UInt32, _ direction: Direction,
                                 priority: UInt16, handle: UInt32) throws(TCXError) {
        try addClassicFilter(program, on: Self.classicTarget(ifindex, direction), priority: priority, handle: handle,
                             name: "")
    }

    public func removeClassicFilter(device ifindex: UInt32, _ direction: Direction,
                                    priority: UInt16, handle: UInt32) throws(TCXError) {
        try removeClassicFilter(on: Self.classicTarget(ifindex, direction), priority: priority, handle: handle)
    }

    private static func classicTarget(_ ifindex: UInt32, _ direction: Direction) -> HookTarget {
        HookTarget(ifindex: ifindex, attachType: direction == .ingress ? .tcxIngress : .tcxEgress)
    }

    /// A device's packet counters.
    public func statistics(device ifindex: UInt32) throws(TCXError) -> DeviceStatistics {
        try withWorld { world throws(TCXError) in
            guard let device = world.devices[ifindex] else { throw TCXError(.ENODEV, "no device has ifindex \(ifindex)") }
            return device.counters.snapshot
        }
    }

    /// Every loaded program with its run statistics, by id.
    public func programStatistics() -> [(id: UInt32, name: String, statistics: ProgramStatistics)] {
        (try? withWorld { world in
            world.programs.values.sorted { $0.id < $1.id }.map { ($0.id, $0.name, $0.counters.snapshot) }
        }) ?? []
    }

    /// A program's run statistics (like the kernel's bpf_stats), by handle.
    public func statistics(program: Handle) throws(TCXError) -> ProgramStatistics {
        try withWorld { world throws(TCXError) in
            try world.program(at: program.rawValue, role: "program").counters.snapshot
        }
    }
}
