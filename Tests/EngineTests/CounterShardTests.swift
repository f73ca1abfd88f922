import BPFCore
import Engine
import Foundation
import TCX
import Testing

/// Device and program counters are kept per thread (`CounterShards`) and summed when read: the
/// sums are exact with more threads sending at once than there are shards of their own (the
/// rest share one, added to atomically), and with threads that ended before the read.
@Suite struct CounterShardTests {
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

    /// `threads` threads each forward `frames` frames into b's ingress, all started together.
    func send(_ world: EmbeddedSystem, device: UInt32, threads: Int, frames: Int) {
        let frame = self.frame
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                start.wait()
                for _ in 0..<frames { _ = world.forward(frame, device: device, .ingress) }
                group.leave()
            }
        }
        for _ in 0..<threads { start.signal() }
        group.wait()
    }

    @Test(arguments: [4, 40])
    func countsFromManyThreadsAddUp(_ threads: Int) throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let (_, b) = try world.createVeth(name: "a", peer: "b")
        let ingress = HookTarget(ifindex: b, attachType: .tcxIngress)
        let next = try world.loadProgram(.returning(-1, name: "next"))
        let pass = try world.loadProgram(.returning(0, name: "pass"))
        try world.attach(next, to: ingress)
        try world.attach(pass, to: ingress)
        let frames = 500
        send(world, device: b, threads: threads, frames: frames)
        let total = UInt64(threads * frames)
        #expect(try world.statistics(device: b).rxPackets == total)
        #expect(try world.statistics(program: next).runs == total)
        #expect(try world.statistics(program: next).next == total)
        #expect(try world.statistics(program: pass).pass == total)
        // The threads have ended; their counts stay, and a new round adds to them.
        send(world, device: b, threads: 2, frames: frames)
        #expect(try world.statistics(device: b).rxPackets == total + UInt64(2 * frames))
        #expect(try world.statistics(program: pass).runs == total + UInt64(2 * frames))
    }

    @Test func anEmptyHookCountsFromEveryThread() throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let (_, b) = try world.createVeth(name: "a", peer: "b")
        send(world, device: b, threads: 36, frames: 300)
        #expect(try world.statistics(device: b).rxPackets == 36 * 300)
    }
}
