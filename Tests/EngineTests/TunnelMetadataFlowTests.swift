import BPFCore
import Engine
import TCX
import Testing

/// Tunnel metadata travels with the skb while it stays on one device's path and is dropped
/// where the kernel scrubs the packet: crossing a veth pair or a redirect into a receive path.
@Suite struct TunnelMetadataFlowTests {
    let world = EmbeddedSystem()
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

    /// One eBPF instruction: opcode, dst/src registers, offset, immediate.
    static func insn(_ op: UInt8, _ dst: UInt8 = 0, _ src: UInt8 = 0, _ off: Int16 = 0, _ imm: Int32 = 0) -> [UInt8] {
        let o = UInt16(bitPattern: off), i = UInt32(bitPattern: imm)
        return [op, dst | src << 4, UInt8(o & 0xff), UInt8(o >> 8),
                UInt8(i & 0xff), UInt8((i >> 8) & 0xff), UInt8((i >> 16) & 0xff), UInt8(i >> 24)]
    }

    /// r1 = ctx, r2 = a zeroed 44-byte key on the stack, r3 = 44, r4 = 0, then `call helper`.
    static func keyCall(_ helper: Int32) -> [UInt8] {
        (1...6).flatMap { insn(0x7a, 10, 0, Int16(-8 * $0), 0) }
            + insn(0xbf, 2, 10) + insn(0x07, 2, 0, 0, -48) + insn(0xb7, 3, 0, 0, 44) + insn(0xb7, 4) + insn(0x85, 0, 0, 0, helper)
    }

    /// Sets a tunnel key and passes the packet on.
    var setter: ProgramSpec {
        ProgramSpec(name: "set_key", instructions: Self.keyCall(21) + Self.insn(0xb7, 0) + Self.insn(0x95), license: "GPL")
    }

    /// Drops the packet when it carries a tunnel key, passes it otherwise.
    var checker: ProgramSpec {
        ProgramSpec(name: "has_key", instructions: Self.keyCall(20)
            + Self.insn(0x55, 0, 0, 2, 0) + Self.insn(0xb7, 0, 0, 0, 2) + Self.insn(0x95)
            + Self.insn(0xb7, 0) + Self.insn(0x95), license: "GPL")
    }

    @Test func aVethCrossingDropsTheKey() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        try world.attach(try world.loadProgram(setter), to: HookTarget(ifindex: a, attachType: .tcxEgress))
        try world.attach(try world.loadProgram(checker), to: HookTarget(ifindex: b, attachType: .tcxIngress))
        #expect(world.send(frame, device: a, .egress).fate == .delivered(ifindex: b))
    }

    /// Two programs on one hook share the skb: the second sees the first's key.
    @Test func programsOnOneHookShareTheKey() throws {
        let (a, _) = try world.createVeth(name: "a", peer: "b")
        let egress = HookTarget(ifindex: a, attachType: .tcxEgress)
        let next = ProgramSpec(name: "set_next", instructions: Self.keyCall(21) + Self.insn(0xb7, 0, 0, 0, -1) + Self.insn(0x95),
                               license: "GPL")
        try world.attach(try world.loadProgram(next), to: egress)
        try world.attach(try world.loadProgram(checker), to: egress)
        #expect(world.send(frame, device: a, .egress).fate == .dropped(ifindex: a, reason: "tc egress"))
    }
}

/// bpf_clone_redirect in the datapath: the copy takes its own path, the original goes on.
@Suite struct CloneRedirectFlowTests {
    let world = EmbeddedSystem()
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)
    typealias I = TunnelMetadataFlowTests

    /// clone_redirect(ifindex, flags), then `return verdict`.
    func cloner(_ ifindex: Int32, flags: Int32 = 0, verdict: Int32 = 0) -> ProgramSpec {
        ProgramSpec(name: "clone", instructions: I.insn(0xb7, 2, 0, 0, ifindex) + I.insn(0xb7, 3, 0, 0, flags)
            + I.insn(0x85, 0, 0, 0, 13) + I.insn(0xb7, 0, 0, 0, verdict) + I.insn(0x95), license: "GPL")
    }

    @Test func theCopyLeavesThroughItsDevice() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        try world.attach(try world.loadProgram(cloner(1)), to: HookTarget(ifindex: a, attachType: .tcxEgress))
        #expect(world.send(frame, device: a, .egress).fate == .delivered(ifindex: b))
        // The copy went out of lo and came back in.
        #expect(try world.statistics(device: 1).txPackets == 1)
        #expect(try world.statistics(device: 1).rxPackets == 1)
    }

    @Test func aCopyToIngressSkipsTheWire() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        try world.attach(try world.loadProgram(cloner(Int32(a), flags: 1, verdict: 2)), to: HookTarget(ifindex: b, attachType: .tcxIngress))
        #expect(world.send(frame, device: b, .ingress).fate == .dropped(ifindex: b, reason: "tc ingress"))
        #expect(try world.statistics(device: a).rxPackets == 1)
        #expect(try world.statistics(device: a).txPackets == 0)
    }

    /// A program that clones every packet to its own device: the copies stop at the hop limit.
    @Test func cloneLoopsEnd() throws {
        try world.attach(try world.loadProgram(cloner(1)), to: HookTarget(ifindex: 1, attachType: .tcxEgress))
        #expect(world.send(frame, device: 1, .egress).fate == .delivered(ifindex: 1))
        #expect(try world.statistics(device: 1).txPackets > 1)
    }
}
