import BPFCore
import TCX

/// Classic tc as the kernel's clsact and cls_bpf behave: checks in the kernel's order, so the
/// same mistake gets the same errno on both backends.
extension EmbeddedSystem: ClassicTCSystem {
    /// The embedded engine has every hook.
    public var hookFeatures: HookFeatures { HookFeatures(tcx: true, tcxLinks: true, netkit: true) }

    public func addClassicFilter(_ program: Handle, on target: HookTarget, priority: UInt16, handle: UInt32,
                                 name: String) throws(TCXError) {
        try ClassicFilterRules.requireAddress(priority: priority, handle: handle, on: target, "add classic filter")
        let what = "add classic filter on \(target) prio \(priority) handle \(handle)"
        try withWorld { world throws(TCXError) in
            let device = try Self.classicDevice(world, target, what)
            // The kernel creates the qdisc in a request of its own: it stays if the filter fails.
            device.hasClsact.store(true, ordering: .releasing)
            let list = device.classic(target.attachType)
            if list.filters.contains(where: { $0.priority == priority && $0.handle == handle }) {
                throw TCXError(.EEXIST, "\(what): a filter with that priority and handle exists")
            }
            let object = try world.program(at: program.rawValue, role: "\(what): filter program", type: .schedCLS)
            guard list.add(ClassicFilter(priority: priority, handle: handle, program: object, name: name)) else {
                throw TCXError(.EEXIST, "\(what): a filter with that priority and handle exists")
            }
            object.references += 1
        }
    }

    public func removeClassicFilter(on target: HookTarget, priority: UInt16, handle: UInt32) throws(TCXError) {
        try ClassicFilterRules.requireAddress(priority: priority, handle: handle, on: target, "remove classic filter")
        let what = "remove classic filter on \(target) prio \(priority) handle \(handle)"
        try withWorld { world throws(TCXError) in
            let device = try Self.classicDevice(world, target, what)
            guard device.hasClsact.load(ordering: .acquiring) else {
                throw TCXError(.EINVAL, "\(what): the device has no clsact qdisc")
            }
            guard let removed = device.classic(target.attachType).remove(priority: priority, handle: handle) else {
                throw TCXError(.ENOENT, "\(what): no filter there")
            }
            world.release(removed.program)
        }
    }

    public func classicFilters(on target: HookTarget) throws(TCXError) -> [ClassicFilterInfo] {
        try withWorld { world throws(TCXError) in
            try Self.classicDevice(world, target, "classic filters of \(target)").classic(target.attachType).filters.map {
                ClassicFilterInfo(kind: "bpf", priority: $0.priority, handle: $0.handle, programID: $0.program.id,
                                  name: $0.name, directAction: true)
            }
        }
    }

    /// The device of a clsact side: EINVAL for a hook clsact does not have, ENODEV for no device.
    private static func classicDevice(_ world: WorldState, _ target: HookTarget, _ what: String) throws(TCXError) -> Device {
        guard target.attachType == .tcxIngress || target.attachType == .tcxEgress else {
            throw TCXError(.EINVAL, "\(what): clsact has an ingress and an egress side only")
        }
        guard let device = world.devices[target.ifindex] else {
            throw TCXError(.ENODEV, "\(what): no device has ifindex \(target.ifindex)")
        }
        return device
    }
}
