import BPFCore
import LinuxKernel
import TCX
import Testing

/// Pins in a world's private bpffs.
@Suite(needsKernel)
struct KernelPinTests {
    typealias Support = KernelTestSupport
    let ingress = KernelTestSupport.loIngress

    @Test func aPinKeepsALinkAttachedAfterItsHandleCloses() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(-1, name: "p"))
            let link = try world.createLink(RawLinkCreate(program: program.rawValue, target: ingress))
            try world.pin(link, at: PinPath("/l1"))
            try world.close(link)
            #expect(try world.query(RawQuery(target: ingress)).count == 1)

            let again = try world.getPinned(PinPath("l1"))
            #expect(try world.kind(of: again) == .link)
            try world.unpin(PinPath("l1"))
            #expect(try world.query(RawQuery(target: ingress)).count == 1, "the handle from get still holds it")
            try world.close(again)
            #expect(try world.query(RawQuery(target: ingress)).count == 0)
        }
    }

    @Test func unpinningTheLastReferenceDetachesBeforeReturning() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(-1, name: "p"))
            for round in 0..<10 {
                let link = try world.createLink(RawLinkCreate(program: program.rawValue, target: ingress))
                try world.pin(link, at: PinPath("link\(round)"))
                try world.close(link)
                try world.unpin(PinPath("link\(round)"))
                #expect(try world.query(RawQuery(target: ingress)).count == 0)
            }
        }
    }

    @Test func pinnedProgramsAndMissingPins() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(-1, name: "kept"))
            let id = try world.programInfo(program).id
            try world.pin(program, at: PinPath("prog"))
            try world.close(program)
            let again = try world.getPinned(PinPath("prog"))
            #expect(try world.programInfo(again).id == id)
            #expect(Support.errno { try world.pin(again, at: PinPath("prog")) } == .EEXIST)
            #expect(Support.errno { try world.pin(again, at: PinPath("no/such/dir")) } == .ENOENT)
            try world.unpin(PinPath("prog"))
            #expect(Support.errno { try world.getPinned(PinPath("prog")) } == .ENOENT)
            #expect(Support.errno { try world.unpin(PinPath("prog")) } == .ENOENT)
        }
    }
}
