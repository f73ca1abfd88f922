import BPFCore
@testable import LinuxKernel
import TCX
import Testing

/// Devices of a world's network namespace.
@Suite(needsKernel)
struct KernelDeviceTests {
    typealias Support = KernelTestSupport

    @Test func aFreshWorldHasOnlyLoopback() throws {
        try Support.withWorld { (world) throws in
            #expect(try world.devices() == [DeviceInfo(name: "lo", ifindex: 1, kind: .loopback, peerIfindex: nil)])
        }
    }

    @Test func vethPairsAreListedAndDeletedTogether() throws {
        try Support.withWorld { (world) throws in
            let (a, b) = try world.createVeth(name: "a", peer: "b")
            #expect(a != b && a > 1 && b > 1)
            #expect(try world.devices() == [
                DeviceInfo(name: "lo", ifindex: 1, kind: .loopback, peerIfindex: nil),
                DeviceInfo(name: a < b ? "a" : "b", ifindex: min(a, b), kind: .veth, peerIfindex: max(a, b)),
                DeviceInfo(name: a < b ? "b" : "a", ifindex: max(a, b), kind: .veth, peerIfindex: min(a, b)),
            ])
            // The peer registers first, so it gets the lower ifindex.
            #expect((a, b) == (3, 2))
            let up = try world.world.run { state throws(TCXError) in
                try Devices.list(state.netlink).allSatisfy { $0.flags & NetlinkABI.iffUp != 0 }
            }
            #expect(up, "lo and both ends of the pair are up")
            #expect(Support.errno { try world.createVeth(name: "a", peer: "c") } == .EEXIST)
            #expect(Support.errno { try world.deleteDevice(ifindex: 1) } == .EOPNOTSUPP)
            try world.deleteDevice(ifindex: b)
            #expect(try world.devices().map(\.name) == ["lo"])
            #expect(Support.errno { try world.deleteDevice(ifindex: a) } == .ENODEV)
        }
    }

    @Test func deletingADeviceLeavesItsLinksDefunct() throws {
        try Support.withWorld { (world) throws in
            let (a, _) = try world.createVeth(name: "a", peer: "b")
            let target = HookTarget(ifindex: a, attachType: .tcxIngress)
            let p1 = try world.loadProgram(.returning(-1, name: "p1"))
            let p2 = try world.loadProgram(.returning(-1, name: "p2"))
            let link = try world.createLink(RawLinkCreate(program: p1.rawValue, target: target))
            try world.attach(RawAttach(program: p2.rawValue, target: target))
            #expect(try world.query(RawQuery(target: target)).count == 2)

            try world.deleteDevice(ifindex: a)
            let info = try world.linkInfo(link)
            #expect(info.ifindex == 0 && info.attachType == .tcxIngress)
            #expect(Support.errno { try world.updateLink(RawLinkUpdate(link: link.rawValue, newProgram: p2.rawValue)) } == .ENOLINK)
            try world.detachLink(link)
            #expect(Support.errno { try world.query(RawQuery(target: target)) } == .ENODEV)
        }
    }

    @Test func netkitAnswersTheKernelsErrno() throws {
        try Support.withWorld { (world) throws in
            #expect(Support.errno { try world.createNetkit(NetkitSpec(name: "lo", peer: "nk1")) } == .EEXIST)
            let made = Support.errno { try world.createNetkit(NetkitSpec(name: "nk0", peer: "nk1")) }
            if KernelSystem.supportsNetkit {
                #expect(made == nil)
                #expect(try world.devices().map(\.kind).contains(.netkitPrimary))
            } else {
                #expect(made == .EOPNOTSUPP)
                #expect(try world.devices().map(\.name) == ["lo"])
                let program = try world.loadProgram(.returning(-1, name: "p"))
                let primary = HookTarget(ifindex: 1, attachType: .netkitPrimary)
                #expect(Support.errno { try world.attach(RawAttach(program: program.rawValue, target: primary)) } == .EOPNOTSUPP)
                #expect(Support.errno { try world.createLink(RawLinkCreate(program: program.rawValue, target: primary)) } == .EOPNOTSUPP)
                #expect(Support.errno { try world.query(RawQuery(target: primary)) } == .EOPNOTSUPP)
            }
        }
    }
}
