import Foundation
import Glibc
import BPFCore
import LinuxKernel
import TCX
import Testing

/// Worlds: isolation, cleanup, and running programs.
@Suite(needsKernel)
struct KernelWorldTests {
    typealias Support = KernelTestSupport

    @Test func shutdownLeavesNoNamespaceOrMountBehind() throws {
        let mountsBefore = Self.mountPoints()
        let world = try KernelSystem()
        let root = world.pinRoot
        let inode = world.namespaceInode
        let program = try world.loadProgram(.returning(-1, name: "p"))
        try world.pin(program, at: PinPath("p"))
        _ = try world.createVeth(name: "a", peer: "b")
        // The bpffs is detached from the start: held by a descriptor, on no mount point, so
        // nothing is left behind even if the process is killed.
        #expect(root.hasPrefix("/proc/\(getpid())/fd/"))
        #expect(access(root + "/p", F_OK) == 0)
        #expect(Self.mountPoints() == mountsBefore)
        #expect(Self.namespaceHolders(inode) > 0)

        world.shutdown()
        #expect(access(root + "/p", F_OK) != 0)
        #expect(Self.namespaceHolders(inode) == 0)
        #expect(Support.errno { try world.devices() } == .EBADF)
        world.shutdown()
    }

    @Test func worldsDoNotSeeEachOther() throws {
        try Support.withWorld { (first) throws in
            try Support.withWorld { (second) throws in
                #expect(first.pinRoot != second.pinRoot)
                #expect(first.namespaceInode != second.namespaceInode)
                _ = try first.createVeth(name: "a", peer: "b")
                let program = try first.loadProgram(.returning(-1, name: "p"))
                try first.pin(program, at: PinPath("p"))
                #expect(try second.devices().map(\.name) == ["lo"])
                #expect(Support.errno { try second.getPinned(PinPath("p")) } == .ENOENT)
                _ = try second.createVeth(name: "a", peer: "b")
            }
        }
    }

    @Test func testRunReturnsTheRawVerdictAndPacket() throws {
        try Support.withWorld { (world) throws in
            let next = try world.loadProgram(.returning(-1, name: "next"))
            let packet: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 0x88, 0xb5, 0xde, 0xad]
            let result = try world.testRun(next, packet: packet, repeat: 1)
            #expect(result.returnValue == 0xffff_ffff)
            #expect(result.packetOut == packet)
            let drop = try world.loadProgram(.returning(2, name: "drop"))
            #expect(try world.testRun(drop, packet: packet, repeat: 3).returnValue == 2)
            #expect(Support.errno { try world.testRun(drop, packet: [1, 2, 3], repeat: 1) } == .EINVAL)
        }
    }

    @Test func refusedLoadsCarryTheErrnoAndTheVerifiersWord() throws {
        try Support.withWorld { (world) throws in
            // `exit` without setting r0 first: the verifier refuses it.
            let spec = ProgramSpec(name: "bad", instructions: [0x95, 0, 0, 0, 0, 0, 0, 0])
            do {
                _ = try world.loadProgram(spec)
                Issue.record("the verifier accepted a program reading an unset r0")
            } catch let error as TCXError {
                #expect(error.errno == .EACCES)
                #expect(error.reason.hasPrefix("BPF_PROG_LOAD"))
                #expect(error.reason.contains("R0"))
            }
        }
    }

    static func mountPoints() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 ? String(fields[4]) : nil
        })
    }

    /// How many threads of this process sit in the namespace with that inode.
    static func namespaceHolders(_ inode: UInt64) -> Int {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return 0 }
        return tasks.filter { task in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/task/\(task)/ns/net")) == "net:[\(inode)]"
        }.count
    }
}
