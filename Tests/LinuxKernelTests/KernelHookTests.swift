import BPFCore
import LinuxKernel
import TCX
import Testing

/// Attach, detach, links and queries on the real kernel, each test in its own world.
@Suite(needsKernel)
struct KernelHookTests {
    typealias Support = KernelTestSupport
    let ingress = KernelTestSupport.loIngress
    let egress = KernelTestSupport.loEgress

    /// A count as large as the caller likes is answered as the kernel answers it, from buffers
    /// no larger than a hook can fill (this once allocated 17 GB and was killed).
    @Test func aHugeQueryCountAllocatesOnlyWhatAHookHolds() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(-1, name: "huge"))
            try world.attach(RawAttach(program: program.rawValue, target: ingress))
            let id = try world.programInfo(program).id
            let reply = try world.query(RawQuery(target: ingress, capacity: UInt32.max))
            #expect(reply == QueryReply(revision: 2, count: 1, programIDs: [id], linkIDs: [0], truncated: false))
        }
    }

    @Test func attachOrderAndRevision() throws {
        try Support.withWorld { (world) throws in
            let p1 = try world.loadProgram(.returning(-1, name: "p1"))
            let p2 = try world.loadProgram(.returning(-1, name: "p2"))
            let id1 = try world.programInfo(p1).id
            let id2 = try world.programInfo(p2).id
            #expect(try world.programInfo(p1).name == "p1")
            #expect(try world.programInfo(p1).type == .schedCLS)

            try world.attach(RawAttach(program: p1.rawValue, target: ingress))
            try world.attach(RawAttach(program: p2.rawValue, target: ingress,
                                       flags: AttachFlags.before.rawValue, relative: p1.rawValue))
            #expect(Support.errno { try world.attach(RawAttach(program: p2.rawValue, target: ingress)) } == .EEXIST)
            #expect(Support.errno {
                try world.attach(RawAttach(program: p1.rawValue, target: ingress, expectedRevision: 1))
            } == .ESTALE)
            let reply = try world.query(RawQuery(target: ingress))
            #expect(reply == QueryReply(revision: 3, count: 2, programIDs: [id2, id1], linkIDs: [0, 0], truncated: false))

            // Closing a program's only fd does not detach a prog-mode attachment.
            try world.close(p1)
            #expect(try world.query(RawQuery(target: ingress)).count == 2)
            try world.detach(RawDetach(program: p2.rawValue, target: ingress))
            let again = try world.program(byID: id1)
            try world.detach(RawDetach(program: again.rawValue, target: ingress))
            #expect(try world.query(RawQuery(target: ingress)) ==
                    QueryReply(revision: 1, count: 0, programIDs: [], linkIDs: [], truncated: false))
        }
    }

    @Test func closingTheLastLinkHandleDetaches() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(0, name: "pass"))
            let link = try world.createLink(RawLinkCreate(program: program.rawValue, target: egress))
            let info = try world.linkInfo(link)
            #expect(info.type == .tcx && info.ifindex == 1 && info.attachType == .tcxEgress)
            #expect(info.programID == (try world.programInfo(program).id))
            #expect(try world.kind(of: link) == .link)
            #expect(try world.kind(of: program) == .program)
            #expect(try world.query(RawQuery(target: egress)).linkIDs == [info.id])

            let copy = try world.duplicate(link)
            try world.close(link)
            #expect(try world.query(RawQuery(target: egress)).count == 1, "a dup keeps the link")
            try world.close(copy)
            #expect(try world.query(RawQuery(target: egress)) ==
                    QueryReply(revision: 1, count: 0, programIDs: [], linkIDs: [], truncated: false))
            #expect(Support.errno { try world.link(byID: info.id) } == .ENOENT)
        }
    }

    @Test func linkUpdateAndDetach() throws {
        try Support.withWorld { (world) throws in
            let p1 = try world.loadProgram(.returning(-1, name: "p1"))
            let p2 = try world.loadProgram(.returning(-1, name: "p2"))
            let link = try world.createLink(RawLinkCreate(program: p1.rawValue, target: ingress))
            try world.updateLink(RawLinkUpdate(link: link.rawValue, newProgram: p2.rawValue))
            #expect(try world.query(RawQuery(target: ingress)).programIDs == [try world.programInfo(p2).id])
            #expect(Support.errno {
                try world.updateLink(RawLinkUpdate(link: link.rawValue, newProgram: p1.rawValue,
                                                   flags: bpfFReplace, oldProgram: p1.rawValue))
            } == .EPERM)
            try world.detachLink(link)
            try world.detachLink(link)
            #expect(try world.linkInfo(link).ifindex == 0)
            #expect(Support.errno { try world.updateLink(RawLinkUpdate(link: link.rawValue, newProgram: p1.rawValue)) } == .ENOLINK)
            #expect(try world.query(RawQuery(target: ingress)).count == 0)
        }
    }

    @Test func shortQueryBuffersAreTruncatedNotThrown() throws {
        try Support.withWorld { (world) throws in
            var ids: [UInt32] = []
            for index in 0..<3 {
                let program = try world.loadProgram(.returning(-1, name: "p\(index)"))
                ids.append(try world.programInfo(program).id)
                try world.attach(RawAttach(program: program.rawValue, target: ingress))
            }
            let short = try world.query(RawQuery(target: ingress, capacity: 2))
            #expect(short == QueryReply(revision: 4, count: 3, programIDs: Array(ids.prefix(2)),
                                        linkIDs: [0, 0], truncated: true))
            let none = try world.query(RawQuery(target: ingress, capacity: nil))
            #expect(none == QueryReply(revision: 4, count: 3, programIDs: [], linkIDs: [], truncated: false))
            let zero = try world.query(RawQuery(target: ingress, capacity: 0))
            #expect(zero.count == 3 && zero.programIDs.isEmpty && !zero.truncated)
            #expect(Support.errno { try world.query(RawQuery(target: ingress, queryFlags: 1)) } == .EINVAL)
        }
    }

    @Test func badHandlesGetTheKernelsErrno() throws {
        try Support.withWorld { (world) throws in
            let program = try world.loadProgram(.returning(-1, name: "p"))
            #expect(Support.errno { try world.close(.invalid) } == .EBADF)
            #expect(Support.errno { try world.kind(of: .invalid) } == .EBADF)
            #expect(Support.errno { try world.programInfo(.invalid) } == .EBADFD, "the info command says EBADFD")
            #expect(Support.errno { try world.linkInfo(program) } == .EINVAL)
            #expect(Support.errno {
                try world.attach(RawAttach(program: Handle.invalid.rawValue, target: ingress))
            } == .EBADF)
            #expect(Support.errno {
                try world.attach(RawAttach(program: program.rawValue, target: HookTarget(ifindex: 999, attachType: .tcxIngress)))
            } == .ENODEV)
            #expect(Support.errno { try world.program(byID: 0) } != nil)
            #expect(Support.errno { try world.run(ingress, packet: []) } == .EOPNOTSUPP)
        }
    }
}
