import BPFCore
import Engine
import TCX
import Testing

/// Every tcx verdict through real devices: PASS delivers, DROP drops, REDIRECT follows
/// bpf_redirect to a device's egress or (BPF_F_INGRESS) ingress, and redirect loops end.
@Suite struct VerdictPathTests {
    let world = EmbeddedSystem()
    let sink = RecordingSink()

    /// lo=1, then a veth pair registers its peer first: b=2, a=3; d=4, c=5.
    func pairs() throws -> (a: UInt32, b: UInt32, c: UInt32, d: UInt32) {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let (c, d) = try world.createVeth(name: "c", peer: "d")
        return (a, b, c, d)
    }

    @Test func passDeliversToTheLocalStack() throws {
        let (a, b, _, _) = try pairs()
        let pass = try world.loadProgram(.returning(Verdict.pass.rawValue, name: "pass"))
        try world.attach(pass, to: HookTarget(ifindex: b, attachType: .tcxIngress))
        let path = world.send(ipv4Frame(), device: a, .egress, sink: sink)
        #expect(path.fate == .delivered(ifindex: b))
        #expect(path.hooks.map(\.ifindex) == [b] && path.hooks.map(\.hook) == [.tcxIngress])
        #expect(path.hooks.map(\.trace) == [[try world.programInfo(pass).id]] && path.hooks.map(\.verdict) == [.pass])
        #expect(sink.events == [.init(kind: .sent, ifindex: a), .init(kind: .delivered, ifindex: b)])
        #expect(try world.statistics(program: pass).pass == 1)
    }

    @Test func dropDropsAtTheHook() throws {
        let (a, b, _, _) = try pairs()
        let drop = try world.loadProgram(.returning(Verdict.drop.rawValue, name: "drop"))
        try world.attach(drop, to: HookTarget(ifindex: b, attachType: .tcxIngress))
        #expect(world.send(ipv4Frame(), device: a, .egress, sink: sink).fate == .dropped(ifindex: b, reason: "tc ingress"))
        #expect(sink.count(.dropped, b) == 1 && sink.count(.delivered, b) == 0)
        let stats = try world.statistics(device: b)
        #expect(stats.rxPackets == 1 && stats.rxDropped == 1)
    }

    @Test func redirectToAnotherDevicesEgressReachesItsPeer() throws {
        let (a, b, c, d) = try pairs()
        let redirect = try RedirectProgram(world)
        try redirect.target(c, ingress: false)
        try world.attach(redirect.handle, to: HookTarget(ifindex: b, attachType: .tcxIngress))
        let path = world.send(ipv4Frame(), device: a, .egress, sink: sink)
        #expect(path.hooks.first?.ifindex == b && path.hooks.first?.trace == [redirect.id])
        #expect(path.hooks.first?.verdict == .redirect)
        #expect(path.fate == .delivered(ifindex: d))
        #expect(sink.events == [.init(kind: .sent, ifindex: a), .init(kind: .sent, ifindex: c), .init(kind: .delivered, ifindex: d)])
        #expect(try world.statistics(device: c).txPackets == 1)
        #expect(try world.statistics(program: redirect.handle).redirect == 1)
    }

    @Test func redirectWithIngressFlagArrivesAtTheDevice() throws {
        let (a, b, c, d) = try pairs()
        let redirect = try RedirectProgram(world)
        try redirect.target(c, ingress: true)
        try world.attach(redirect.handle, to: HookTarget(ifindex: b, attachType: .tcxIngress))
        // c's own ingress chain runs on the redirected frame.
        let counter = try world.loadProgram(.returning(Verdict.next.rawValue, name: "c_in"))
        try world.attach(counter, to: HookTarget(ifindex: c, attachType: .tcxIngress))
        let path = world.send(ipv4Frame(), device: a, .egress, sink: sink)
        #expect(path.fate == .delivered(ifindex: c))
        #expect(path.hooks.map(\.ifindex) == [b, c])
        #expect(try world.statistics(device: c).rxPackets == 1)
        #expect(try world.statistics(device: d).rxPackets == 0)
    }

    @Test func redirectLoopsAreBounded() throws {
        let (a, b, _, _) = try pairs()
        let redirect = try RedirectProgram(world)
        try redirect.target(b, ingress: true)  // b's ingress back to itself
        try world.attach(redirect.handle, to: HookTarget(ifindex: b, attachType: .tcxIngress))
        let path = world.send(ipv4Frame(), device: a, .egress, sink: sink)
        #expect(path.fate == .dropped(ifindex: b, reason: "redirect loop: more than 8 hops"))
        // The bound counts device hops and redirects together: the hop from a over the wire,
        // then seven redirects, each running the program once; the eighth is refused.
        #expect(try world.statistics(program: redirect.handle).runs == 8)
        #expect(sink.count(.dropped, b) == 1)

        // An egress loop (a's egress to itself) ends the same way.
        let egress = try RedirectProgram(world, name: "egress_loop")
        try egress.target(a, ingress: false)
        try world.attach(egress.handle, to: HookTarget(ifindex: a, attachType: .tcxEgress))
        #expect(world.send(ipv4Frame(), device: a, .egress).fate == .dropped(ifindex: a, reason: "redirect loop: more than 8 hops"))
    }

    @Test func redirectToAMissingDeviceDrops() throws {
        let (a, b, _, _) = try pairs()
        let redirect = try RedirectProgram(world)
        try redirect.target(99, ingress: false)
        try world.attach(redirect.handle, to: HookTarget(ifindex: b, attachType: .tcxIngress))
        #expect(world.send(ipv4Frame(), device: a, .egress).fate == .dropped(ifindex: 99, reason: "no device has ifindex 99"))
    }
}
