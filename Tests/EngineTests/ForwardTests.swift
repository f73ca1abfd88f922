import BPFCore
import Engine
import TCX
import Testing

/// `forward`: a frame's fate as `send` finds it, without the path, with the same counting;
/// and a hook emptied after it held programs runs none (the empty flag published with the array).
@Suite struct ForwardTests {
    let world = EmbeddedSystem()
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

    @Test func forwardEndsWhereSendEndsAndCountsTheSame() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let egress = HookTarget(ifindex: a, attachType: .tcxEgress)
        let next = try world.loadProgram(.returning(-1, name: "next"))
        let drop = try world.loadProgram(.returning(2, name: "drop"))
        try world.attach(next, to: egress)
        #expect(world.forward(frame, device: a, .egress) == world.send(frame, device: a, .egress).fate)
        #expect(world.forward(frame, device: a, .egress) == .delivered(ifindex: b))
        try world.attach(drop, to: egress)
        #expect(world.forward(frame, device: a, .egress) == .dropped(ifindex: a, reason: "tc egress"))
        #expect(try world.statistics(program: next).runs == 4)
        #expect(try world.statistics(program: drop).drop == 1)
        #expect(try world.statistics(device: b).rxPackets == 3)

        // Emptied, the hook runs nothing; attached again, it runs the new program.
        try world.detach(next, from: egress)
        try world.detach(drop, from: egress)
        #expect(world.forward(frame, device: a, .egress) == .delivered(ifindex: b))
        #expect(try world.statistics(program: next).runs == 4)
        try world.attach(drop, to: egress)
        #expect(world.forward(frame, device: a, .egress) == .dropped(ifindex: a, reason: "tc egress"))
        #expect(try world.statistics(program: drop).drop == 2)
    }
}
