import BPFCore
import Engine
import TCX
import Testing

/// netkit's transmit (spec §5.4) in both modes: the policy decides when no program is
/// attached, a program's answer overrides it, NEXT and PASS forward, unknown values drop,
/// REDIRECT follows bpf_redirect. The mode changes addressing, not these rules.
@Suite struct NetkitDatapathTests {
    let world = EmbeddedSystem()

    @Test(arguments: [NetkitMode.l2, .l3])
    func policiesDecideWithoutPrograms(mode: NetkitMode) throws {
        let (primary, peer) = try world.createNetkit(NetkitSpec(name: "nk", peer: "nk-peer", mode: mode, policy: .pass, peerPolicy: .drop))
        let sink = RecordingSink()
        #expect(world.send(ipv4Frame(), device: primary, .egress, sink: sink).fate == .delivered(ifindex: peer))
        #expect(world.send(ipv4Frame(), device: peer, .egress, sink: sink).fate == .dropped(ifindex: peer, reason: "netkit drop"))
        #expect(sink.events == [.init(kind: .sent, ifindex: primary), .init(kind: .delivered, ifindex: peer),
                                .init(kind: .dropped, ifindex: peer)])
        #expect(try world.statistics(device: primary).txPackets == 1)
        #expect(try world.statistics(device: peer).txDropped == 1)
    }

    @Test(arguments: [NetkitMode.l2, .l3])
    func programsOverrideThePolicy(mode: NetkitMode) throws {
        let (primary, peer) = try world.createNetkit(NetkitSpec(name: "nk", peer: "nk-peer", mode: mode, policy: .drop, peerPolicy: .drop))
        let next = try world.loadProgram(.returning(Verdict.next.rawValue, name: "next"))
        let odd = try world.loadProgram(.returning(3, name: "odd"))
        try world.attach(next, to: HookTarget(ifindex: primary, attachType: .netkitPrimary))
        try world.attach(odd, to: HookTarget(ifindex: primary, attachType: .netkitPeer))
        let forwarded = world.send(ipv4Frame(), device: primary, .egress)
        #expect(forwarded.fate == .delivered(ifindex: peer))
        #expect(forwarded.hooks.map(\.hook) == [.netkit] && forwarded.hooks[0].verdict == .pass)
        // 3 means NEXT in tcx but drops in netkit.
        #expect(world.send(ipv4Frame(), device: peer, .egress).fate == .dropped(ifindex: peer, reason: "netkit drop"))
        #expect(try world.statistics(program: odd).other == 1)
    }

    @Test func netkitRedirectAndPeerIngressChain() throws {
        let (primary, peer) = try world.createNetkit(NetkitSpec(name: "nk", peer: "nk-peer"))
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let redirect = try RedirectProgram(world)
        try redirect.target(a, ingress: false)
        try world.attach(redirect.handle, to: HookTarget(ifindex: primary, attachType: .netkitPrimary))
        let path = world.send(ipv4Frame(), device: primary, .egress)
        #expect(path.hooks.first?.verdict == .redirect)
        #expect(path.fate == .delivered(ifindex: b))
        // The peer side forwards by policy and then runs the primary's tcx ingress.
        let drop = try world.loadProgram(.returning(Verdict.drop.rawValue, name: "drop"))
        try world.attach(drop, to: HookTarget(ifindex: primary, attachType: .tcxIngress))
        let back = world.send(ipv4Frame(), device: peer, .egress)
        #expect(back.hooks.map(\.hook) == [.netkit, .tcxIngress])
        #expect(back.fate == .dropped(ifindex: primary, reason: "tc ingress"))
    }

    @Test func runtFramesCannotCrossANetkit() throws {
        let (primary, _) = try world.createNetkit(NetkitSpec(name: "nk", peer: "nk-peer"))
        let fate = world.send(Array(ipv4Frame().prefix(10)), device: primary, .egress).fate
        #expect(fate == .dropped(ifindex: primary, reason: "netkit cannot transmit: no peer or a runt frame"))
    }
}
