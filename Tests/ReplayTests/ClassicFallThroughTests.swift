import BPFCore
import Engine
import TCX
import Testing

/// Classic tc (cls_bpf, direct action) after tcx: it runs only when the tcx chain ends in
/// NEXT, by priority; UNSPEC (-1) tries the next filter, the first other answer decides.
@Suite struct ClassicFallThroughTests {
    let world = EmbeddedSystem()

    func program(_ value: Int32, _ name: String) throws -> (handle: Handle, id: UInt32) {
        let handle = try world.loadProgram(.returning(value, name: name))
        return (handle, try world.programInfo(handle).id)
    }

    @Test func filtersRunByPriorityUntilOneDecides() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let unspec = try program(-1, "unspec"), shot = try program(2, "shot"), ok = try program(0, "ok")
        // Added out of order: priority decides, not insertion.
        try world.addClassicFilter(ok.handle, device: b, .ingress, priority: 30, handle: 1)
        try world.addClassicFilter(shot.handle, device: b, .ingress, priority: 20, handle: 1)
        try world.addClassicFilter(unspec.handle, device: b, .ingress, priority: 10, handle: 1)
        var path = world.send(ipv4Frame(), device: a, .egress)
        #expect(path.hooks.map(\.hook) == [.classicIngress])
        #expect(path.hooks[0].trace == [unspec.id, shot.id])
        #expect(path.fate == .dropped(ifindex: b, reason: "classic tc shot"))
        #expect(try world.statistics(program: ok.handle).runs == 0)

        try world.removeClassicFilter(device: b, .ingress, priority: 20, handle: 1)
        path = world.send(ipv4Frame(), device: a, .egress)
        #expect(path.hooks[0].trace == [unspec.id, ok.id])
        #expect(path.fate == .delivered(ifindex: b))
        #expect(throws: TCXError.self) { try world.addClassicFilter(ok.handle, device: b, .ingress, priority: 30, handle: 1) }
    }

    @Test func tcxDecidesBeforeClassic() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let shot = try program(2, "shot"), next = try program(-1, "next"), pass = try program(0, "pass")
        try world.addClassicFilter(shot.handle, device: b, .ingress, priority: 1, handle: 1)
        let ingress = HookTarget(ifindex: b, attachType: .tcxIngress)
        // NEXT falls through to classic, which drops.
        try world.attach(next.handle, to: ingress)
        var path = world.send(ipv4Frame(), device: a, .egress)
        #expect(path.hooks.map(\.hook) == [.tcxIngress, .classicIngress])
        #expect(path.fate == .dropped(ifindex: b, reason: "classic tc shot"))
        // PASS in tcx: classic tc never sees the frame.
        try world.attach(pass.handle, to: ingress)
        path = world.send(ipv4Frame(), device: a, .egress)
        #expect(path.hooks.map(\.hook) == [.tcxIngress])
        #expect(path.fate == .delivered(ifindex: b))
        #expect(try world.statistics(program: shot.handle).runs == 1)
    }

    @Test func classicEgressDropsBeforeTheWireAndClassicRedirectFollows() throws {
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let (c, d) = try world.createVeth(name: "c", peer: "d")
        let shot = try program(2, "shot")
        try world.addClassicFilter(shot.handle, device: a, .egress, priority: 1, handle: 1)
        #expect(world.send(ipv4Frame(), device: a, .egress).fate == .dropped(ifindex: a, reason: "classic tc shot"))
        #expect(try world.statistics(device: b).rxPackets == 0)

        // A cls_bpf filter calling bpf_redirect: the frame leaves through c to d.
        let redirect = try RedirectProgram(world)
        try redirect.target(c, ingress: false)
        try world.addClassicFilter(redirect.handle, device: b, .ingress, priority: 1, handle: 1)
        let redirected = world.send(ipv4Frame(), device: b, .ingress)
        #expect(redirected.hooks.map(\.hook) == [.classicIngress])
        #expect(redirected.hooks[0].verdict == .redirect)
        #expect(redirected.fate == .delivered(ifindex: d))
    }
}
