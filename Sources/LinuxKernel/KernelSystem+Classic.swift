import BPFCore
import TCX

/// Classic tc (a clsact qdisc and cls_bpf filters) in the world's namespace, through its
/// rtnetlink socket.
extension KernelSystem: ClassicTCSystem {
    public var hookFeatures: HookFeatures { Self.hookFeatures }

    public func addClassicFilter(_ program: Handle, on target: HookTarget, priority: UInt16, handle: UInt32,
                                 name: String) throws(TCXError) {
        try ClassicFilterRules.requireAddress(priority: priority, handle: handle, on: target, "add classic filter")
        let side = try ClassicFilters.Side(target)
        try world.run { state throws(TCXError) in
            try ClassicFilters.ensureClsact(state.netlink, side)
            try ClassicFilters.add(state.netlink, side, program: program.rawValue, priority: priority,
                                   handle: handle, name: name)
        }
    }

    public func removeClassicFilter(on target: HookTarget, priority: UInt16, handle: UInt32) throws(TCXError) {
        try ClassicFilterRules.requireAddress(priority: priority, handle: handle, on: target, "remove classic filter")
        let side = try ClassicFilters.Side(target)
        try world.run { state throws(TCXError) in
            try ClassicFilters.remove(state.netlink, side, priority: priority, handle: handle)
        }
    }

    public func classicFilters(on target: HookTarget) throws(TCXError) -> [ClassicFilterInfo] {
        let side = try ClassicFilters.Side(target)
        return try world.run { state throws(TCXError) in
            // A dump for a missing device answers with nothing; the API says ENODEV.
            try Devices.require(state.netlink, ifindex: target.ifindex)
            return try ClassicFilters.list(state.netlink, side)
        }
    }
}
