import Glibc
import SwiftTCX
import Testing

/// The README's "On a real host" example, word for word in `startFirewall`, run on a sandbox of
/// each backend: the first start links and pins, a restart takes the pinned link over in place.
@Suite struct ReadmeExampleTests {
    static let object: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Tests/Fixtures/host/counter.o"
    }()

    // README begin
    /// Attaches the service's program at the head of the device's ingress and keeps it there
    /// across restarts: the pin holds the link while the service is down; a restart takes it over.
    static func startFirewall(in world: any BPFObjectSystem & ClassicTCSystem, device: String,
                              object: String) throws -> Link {
        let ingress = try world.hook(device, .tcxIngress)
        let objects = try ObjectCollection(file: object, in: world)
        let program = try objects.program("count_packets")
        let pin = try PinPath("myservice-ingress")
        if let link = try? Link(pinned: pin, in: world) {
            try link.update(to: program)                  // same place on the hook, new code
            return link
        }
        let link = try program.link(to: ingress, at: .head) // owned: detaches when `link` goes…
        try link.pin(at: pin)                               // …unless it is pinned
        return link
    }
    // README end

    @Test(arguments: OwningAPITests.backends) func aRestartTakesThePinnedLinkOver(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let device = try world.devices()[0].name
        let first = try Self.startFirewall(in: world, device: device, object: Self.object)
        let firstInfo = try first.info
        try first.close()  // the service stops: the pin keeps the program on the hook
        let target = try world.hook(device, .tcxIngress)
        #expect(try world.state(of: target).entries.map(\.linkID) == [firstInfo.id])

        let second = try Self.startFirewall(in: world, device: device, object: Self.object)
        let secondInfo = try second.info
        #expect(secondInfo.id == firstInfo.id, "the same link")
        #expect(secondInfo.programID != firstInfo.programID, "running the program the restart loaded")
        #expect(try world.state(of: target).entries.map(\.programID) == [secondInfo.programID])
        try second.detach()
        try world.unpin(PinPath("myservice-ingress"))
    }
}
