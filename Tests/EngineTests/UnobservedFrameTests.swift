import BPFCore
import Engine
import Synchronization
import TCX
import Testing

/// Frames that meet no program and no capture take a short way (`PacketFlow.unobservedFate`):
/// they must end where the whole path ends them, counted the same, and a frame that meets a
/// program or a capture anywhere on its way must take the whole path.
@Suite struct UnobservedFrameTests {
    let world = EmbeddedSystem()
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

    final class Capture: PacketSink, Sendable {
        let delivered = Mutex<[UInt32]>([])
        func delivered(_ frame: [UInt8], at ifindex: UInt32) { delivered.withLock { $0.append(ifindex) } }
        func sent(_ frame: [UInt8], from ifindex: UInt32) {}
        func dropped(_ frame: [UInt8], at ifindex: UInt32, reason: String) {}
    }

    func counters(_ ifindex: UInt32) throws -> [UInt64] {
        let s = try world.statistics(device: ifindex)
        return [s.rxPackets, s.txPackets, s.rxDropped, s.txDropped]
    }

    /// DROP when `__sk_buff.ifindex` and `ingress_ifindex` are both `ifindex`, else PASS.
    static func dropsWhenReceivedOn(_ ifindex: UInt32) -> ProgramSpec {
        let b = UInt8(ifindex)
        let code: [[UInt8]] = [
            [0x61, 0x12, 40, 0, 0, 0, 0, 0],  // r2 = *(u32 *)(r1 + 40)   ifindex
            [0xb7, 0x00, 0, 0, 0, 0, 0, 0],   // r0 = 0                   PASS
            [0x55, 0x02, 3, 0, b, 0, 0, 0],   // if r2 != ifindex goto exit
            [0x61, 0x12, 36, 0, 0, 0, 0, 0],  // r2 = *(u32 *)(r1 + 36)   ingress_ifindex
            [0x55, 0x02, 1, 0, b, 0, 0, 0],   // if r2 != ifindex goto exit
            [0xb7, 0x00, 0, 0, 2, 0, 0, 0],   // r0 = 2                   DROP
            [0x95, 0, 0, 0, 0, 0, 0, 0],      // exit
        ]
        return ProgramSpec(name: "on\(ifindex)", instructions: code.flatMap { $0 })
    }

    @Test func emptyHooksEndAndCountAsTheWholePath() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        // Ingress, veth egress to the peer, lo's egress back to itself: delivered, counted.
        #expect(world.forward(frame, device: b, .ingress) == .delivered(ifindex: b))
        let path = world.send(frame, device: a, .egress)
        #expect(path.hooks.isEmpty && path.fate == .delivered(ifindex: b))
        #expect(world.forward(frame, device: 1, .egress) == .delivered(ifindex: 1))
        #expect(try counters(a) == [0, 1, 0, 0])
        #expect(try counters(b) == [2, 0, 0, 0])
        #expect(try counters(1) == [1, 1, 0, 0])
        // A device that is not there: dropped, as the whole path says.
        #expect(world.forward(frame, device: 99, .ingress) == .dropped(ifindex: 99, reason: "no device has ifindex 99"))
    }

    @Test func aProgramOrFilterAnywhereOnTheWayRuns() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        // On the peer's ingress only: the frame leaves a's empty egress and meets it at b, with
        // the fields b fills in on arrival.
        let onB = try world.loadProgram(Self.dropsWhenReceivedOn(b))
        try world.attach(onB, to: HookTarget(ifindex: b, attachType: .tcxIngress))
        #expect(world.forward(frame, device: a, .egress) == .dropped(ifindex: b, reason: "tc ingress"))
        #expect(try counters(a) == [0, 1, 0, 0])
        #expect(try counters(b) == [1, 0, 1, 0])
        try world.detach(onB, from: HookTarget(ifindex: b, attachType: .tcxIngress))

        // A classic filter alone, on either side.
        let shot = try world.loadProgram(.returning(2, name: "shot"))
        try world.addClassicFilter(shot, device: a, .egress, priority: 1, handle: 1)
        #expect(world.forward(frame, device: a, .egress) == .dropped(ifindex: a, reason: "classic tc shot"))
        try world.removeClassicFilter(device: a, .egress, priority: 1, handle: 1)
        try world.addClassicFilter(shot, device: b, .ingress, priority: 1, handle: 1)
        #expect(world.forward(frame, device: b, .ingress) == .dropped(ifindex: b, reason: "classic tc shot"))
        #expect(try world.statistics(program: shot).drop == 2)
        try world.removeClassicFilter(device: b, .ingress, priority: 1, handle: 1)
        #expect(world.forward(frame, device: a, .egress) == .delivered(ifindex: b))
    }

    @Test func aCaptureSeesFramesThroughEmptyHooks() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let capture = Capture()
        #expect(world.forward(frame, device: a, .egress, sink: capture) == .delivered(ifindex: b))
        #expect(world.forward(frame, device: b, .ingress, sink: capture) == .delivered(ifindex: b))
        #expect(capture.delivered.withLock { $0 } == [b, b])
    }

    @Test func netkitTransmitsThroughItsPolicy() throws {
        // A netkit with no program and a DROP policy drops: its transmit is never short-cut.
        let (primary, _) = try world.createNetkit(NetkitSpec(name: "nk", peer: "nkp", policy: .drop))
        #expect(world.forward(frame, device: primary, .egress)
                == .dropped(ifindex: primary, reason: "netkit drop"))
    }
}
