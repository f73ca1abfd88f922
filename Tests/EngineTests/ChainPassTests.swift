import BPFCore
import BPFVM
import Engine
import TCX
import Testing

/// A tcx chain whose compiled programs call no helper runs them in passes of machine code
/// (`ChainSteps`, `JITChain`), the others one at a time between the passes: frames must end,
/// be traced and counted exactly as on the interpreter, where every program runs on its own.
@Suite struct ChainPassTests {
    static let kinds: [ExecutorKind] = ExecutorKind.jitAvailable ? [.jit, .interpreter] : [.interpreter]
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

    /// A world with a veth pair; programs attached in order on b's tcx ingress.
    struct World {
        let system: EmbeddedSystem
        let b: UInt32
        var ids: [UInt32] = []
        var handles: [Handle] = []

        init(_ kind: ExecutorKind) throws {
            system = EmbeddedSystem(executor: kind)
            (_, b) = try system.createVeth(name: "a", peer: "b")
        }

        mutating func attach(_ spec: ProgramSpec) throws {
            let handle = try system.loadProgram(spec)
            try system.attach(handle, to: HookTarget(ifindex: b, attachType: .tcxIngress))
            handles.append(handle)
            ids.append(try system.programInfo(handle).id)
        }

        func runs(_ index: Int) throws -> ProgramStatistics { try system.statistics(program: handles[index]) }
    }

    static func next(_ name: String) -> ProgramSpec { .returning(Verdict.next.rawValue, name: name) }

    /// `skb->mark = 7` (a context store, run on its own), then NEXT.
    static let marking = ProgramSpec(name: "mark", instructions: [
        0x62, 0x01, 8, 0, 7, 0, 0, 0,  // *(u32 *)(r1 + 8) = 7
        0xb7, 0x00, 0, 0, 0xff, 0xff, 0xff, 0xff,  // r0 = -1
        0x95, 0, 0, 0, 0, 0, 0, 0,
    ])

    /// DROP when `skb->mark` is 7, else PASS (no helper: a step of a pass).
    static let dropsMarked = ProgramSpec(name: "dropsMarked", instructions: [
        0x61, 0x12, 8, 0, 0, 0, 0, 0,  // r2 = *(u32 *)(r1 + 8)
        0xb7, 0x00, 0, 0, 0, 0, 0, 0,  // r0 = 0
        0x55, 0x02, 1, 0, 7, 0, 0, 0,  // if r2 != 7 goto exit
        0xb7, 0x00, 0, 0, 2, 0, 0, 0,  // r0 = 2
        0x95, 0, 0, 0, 0, 0, 0, 0,
    ])

    @Test(arguments: kinds)
    func aProgramOnItsOwnBetweenPassesIsSeenByTheNext(_ kind: ExecutorKind) throws {
        var world = try World(kind)
        for spec in [Self.next("p0"), Self.next("p1"), Self.marking, Self.next("p3"), Self.dropsMarked, Self.next("p5")] {
            try world.attach(spec)
        }
        let path = world.system.send(frame, device: world.b, .ingress)
        #expect(path.hooks.map(\.trace) == [Array(world.ids[0...4])])
        #expect(path.hooks.map(\.verdict) == [.drop])
        #expect(path.fate == .dropped(ifindex: world.b, reason: "tc ingress"))
        for index in 0...3 { #expect(try world.runs(index).next == 1) }
        #expect(try world.runs(4).drop == 1 && world.runs(4).runs == 1)
        #expect(try world.runs(5).runs == 0)
    }

    @Test(arguments: kinds)
    func anUnknownVerdictEndsTheChainAsNext(_ kind: ExecutorKind) throws {
        var world = try World(kind)
        for spec in [Self.next("p0"), ProgramSpec.returning(5, name: "five"), Self.next("p2")] { try world.attach(spec) }
        let path = world.system.send(frame, device: world.b, .ingress)
        #expect(path.hooks.map(\.trace) == [Array(world.ids[0...1])])
        #expect(path.hooks.map(\.verdict) == [.next])
        #expect(path.fate == .delivered(ifindex: world.b))
        #expect(try world.runs(1).other == 1 && world.runs(2).runs == 0)
    }

    @Test(arguments: kinds)
    func aLongChainOfNextRunsEveryProgramOnEveryFrame(_ kind: ExecutorKind) throws {
        var world = try World(kind)
        for index in 0..<20 { try world.attach(Self.next("p\(index)")) }
        try world.attach(.returning(Verdict.pass.rawValue, name: "pass"))
        for _ in 0..<3 {
            let path = world.system.send(frame, device: world.b, .ingress)
            #expect(path.hooks.map(\.trace) == [world.ids])
            #expect(path.fate == .delivered(ifindex: world.b))
        }
        #expect(world.system.forward(frame, device: world.b, .ingress) == .delivered(ifindex: world.b))
        for index in 0..<20 { #expect(try world.runs(index).next == 4) }
        #expect(try world.runs(20).pass == 4)
    }
}
