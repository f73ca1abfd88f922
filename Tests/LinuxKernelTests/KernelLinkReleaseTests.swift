import BPFCore
import Foundation
import Glibc
@testable import LinuxKernel
import TCX
import Testing

/// Closing the last handle of a link while someone else holds a reference for a moment, as
/// bpftool or `tcx host` do when they list links by id: the kernel detaches it only when that
/// reference goes, and `close` waits for it.
@Suite(needsKernel)
struct KernelLinkReleaseTests {
    typealias Support = KernelTestSupport
    let ingress = KernelTestSupport.loIngress

    /// A reference by id outside the world, dropped by another thread after `delay`.
    private func holdElsewhere(_ id: UInt32, for delay: Duration) throws -> Thread {
        let held = try #require(try Inventory.open(.linkGetFDByID, id: id))
        let microseconds = UInt32(delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000)
        let thread = Thread {
            usleep(microseconds)
            _ = Glibc.close(held)
        }
        thread.start()
        return thread
    }

    @Test func closeReturnsOnceAMomentaryHolderLetsGo() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(-1, name: "p"))
            for _ in 0..<3 {
                let link = try world.createLink(RawLinkCreate(program: program.rawValue, target: ingress))
                _ = try holdElsewhere(try world.linkInfo(link).id, for: .milliseconds(80))
                try world.close(link)
                #expect(try world.query(RawQuery(target: ingress)).count == 0,
                        "the holder's reference went within the wait, so the link is gone")
            }
        }
    }

    @Test func aHolderThatKeepsItIsAnOwnerAndTheLinkStays() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(-1, name: "p"))
            let link = try world.createLink(RawLinkCreate(program: program.rawValue, target: ingress))
            let id = try world.linkInfo(link).id
            let held = try #require(try Inventory.open(.linkGetFDByID, id: id))
            let started = ContinuousClock.now
            try world.close(link)
            #expect(ContinuousClock.now - started < .seconds(3), "the wait is bounded")
            let reply = try world.query(RawQuery(target: ingress))
            #expect(reply.count == 1 && reply.linkIDs.contains(id))
            _ = Glibc.close(held)
            // The kernel detaches in deferred work after the last reference goes: on a loaded
            // machine that can lag the close by a moment, so the hook is watched, within a bound.
            let closed = ContinuousClock.now
            var remaining = try world.query(RawQuery(target: ingress)).count
            while remaining != 0 && ContinuousClock.now - closed < .seconds(5) {
                usleep(2_000)
                remaining = try world.query(RawQuery(target: ingress)).count
            }
            #expect(remaining == 0, "the holder's close was the last")
        }
    }
}
