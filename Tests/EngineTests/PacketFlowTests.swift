import BPFCore
import Engine
import TCX
import Testing

/// Frames through devices, tcx and classic tc, netkit (spec §4.3, §5.4).
@Suite struct PacketFlowTests {
    let world = EmbeddedSystem()
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

    func program(_ value: Int32) throws -> Handle {
        try world.loadProgram(.returning(value, name: "r\(value)"))
    }
    func id(_ handle: Handle) throws -> UInt32 { try world.programInfo(handle).id }

    @Test func vethCarriesFramesToThePeer() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let path = world.send(frame, device: a, .egress)
        #expect(path.fate == .delivered(ifindex: b))
        #expect(try world.statistics(device: a).txPackets == 1)
        #expect(try world.statistics(device: b).rxPackets == 1)
        // lo loops back to itself.
        #expect(world.send(frame, device: 1, .egress).fate == .delivered(ifindex: 1))
    }

    @Test func tcxVerdictsAndClassicFallThrough() throws {
        let (_, b) = try world.createVeth(name: "a", peer: "b")
        let ingress = HookTarget(ifindex: b, attachType: .tcxIngress)
        let three = try program(3), drop = try program(2), next = try program(-1), pass = try program(0)
        let shot = try world.loadProgram(.returning(2, name: "shot"))
        try world.addClassicFilter(shot, device: b, .ingress, priority: 1, handle: 1)

        // [3, DROP]: 3 stops the chain and counts as NEXT, classic SHOT drops it.
        try world.attach(three, to: ingress)
        try world.attach(drop, to: ingress)
        var path = world.send(frame, device: b, .ingress)
        #expect(path.hooks.map(\.trace) == [[try id(three)], [try id(shot)]])
        #expect(path.fate == .dropped(ifindex: b, reason: "classic tc shot"))
        // Without the classic filter the same chain delivers, the DROP program never runs.
        try world.removeClassicFilter(device: b, .ingress, priority: 1, handle: 1)
        path = world.send(frame, device: b, .ingress)
        #expect(path.fate == .delivered(ifindex: b))
        #expect(try world.statistics(program: drop).runs == 0)
        // [PASS] skips classic tc; [NEXT] falls through to it.
        try world.addClassicFilter(shot, device: b, .ingress, priority: 1, handle: 1)
        try world.detach(three, from: ingress)
        try world.detach(drop, from: ingress)
        try world.attach(pass, to: ingress)
        #expect(world.send(frame, device: b, .ingress).fate == .delivered(ifindex: b))
        try world.replace(pass, with: next, on: ingress)
        #expect(world.send(frame, device: b, .ingress).fate == .dropped(ifindex: b, reason: "classic tc shot"))
        #expect(try world.statistics(device: b).rxDropped == 2)
        #expect(try world.statistics(program: shot).drop == 2)
    }

    @Test func egressDropStopsTheFrameBeforeThePeer() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        try world.attach(try program(2), to: HookTarget(ifindex: a, attachType: .tcxEgress))
        let path = world.send(frame, device: a, .egress)
        #expect(path.fate == .dropped(ifindex: a, reason: "tc egress"))
        #expect(try world.statistics(device: b).rxPackets == 0)
        #expect(try world.statistics(device: a).txDropped == 1)
    }

    @Test func redirectWithoutTargetIsFreed() throws {
        try world.attach(try program(7), to: HookTarget(ifindex: 1, attachType: .tcxIngress))
        #expect(world.send(frame, device: 1, .ingress).fate == .consumed(ifindex: 1))
    }

    @Test func netkitProgramsAndPolicies() throws {
        let (primary, peer) = try world.createNetkit(NetkitSpec(name: "nk1", peer: "nk0", policy: .drop))
        // No program: the primary's policy (drop) decides; the peer's (pass) forwards.
        #expect(world.send(frame, device: primary, .egress).fate == .dropped(ifindex: primary, reason: "netkit drop"))
        #expect(world.send(frame, device: peer, .egress).fate == .delivered(ifindex: primary))
        // With programs the policy is irrelevant: NEXT forwards to the peer.
        let next = try program(-1)
        try world.attach(next, to: HookTarget(ifindex: primary, attachType: .netkitPrimary))
        let path = world.send(frame, device: primary, .egress)
        #expect(path.fate == .delivered(ifindex: peer))
        #expect(path.hooks.map(\.trace) == [[try id(next)]])
        // Unknown return codes drop in netkit (they mean NEXT in tcx).
        let odd = try program(3)
        try world.attach(odd, to: HookTarget(ifindex: primary, attachType: .netkitPeer))
        #expect(world.send(frame, device: peer, .egress).fate == .dropped(ifindex: peer, reason: "netkit drop"))
    }

    @Test func deletedDevicesTakeNoFrames() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        try world.deleteDevice(ifindex: b)
        #expect(world.send(frame, device: a, .egress).fate == .dropped(ifindex: a, reason: "no device has ifindex \(a)"))
    }
}
