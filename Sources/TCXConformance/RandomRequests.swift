import BPFCore
import TCX

/// Random raw mprog requests over a pool of handles, drawn so that most of them are refused:
/// random flag bits, relatives by handle and by id (present, absent, of the wrong kind,
/// closed), expected revisions next to the real one, programs that are already attached.
///
/// Relatives by id only name sched_cls programs: naming a program of another type by id is
/// EINVAL on the kernel, and nothing that only reads a world can tell that type from an id.
public struct RandomRequests {
    public enum Request: Hashable, Sendable {
        case attach(RawAttach)
        case detach(RawDetach)
        case linkCreate(RawLinkCreate)
        case linkUpdate(RawLinkUpdate)
    }

    /// What requests may name. Every program id listed is a sched_cls program's.
    public struct Pool: Sendable {
        public var programs: [(handle: Handle, id: UInt32)]
        /// Handles that are open but wrong for every field (another program type, a map).
        public var misfits: [Handle]
        public var links: [(handle: Handle, id: UInt32)]
        public var targets: [HookTarget]
        public init(programs: [(handle: Handle, id: UInt32)], misfits: [Handle],
                    links: [(handle: Handle, id: UInt32)], targets: [HookTarget]) {
            self.programs = programs
            self.misfits = misfits
            self.links = links
            self.targets = targets
        }
    }

    private var rng: SplitMix64
    /// Never open: a closed handle's stand-in that no later open can reuse.
    private let closedHandle: UInt32 = 40_000
    private let unknownID: UInt32 = 0x7fff_fff0

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
    private mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    /// The next request; `revision` reads a target's current revision.
    public mutating func next(_ pool: Pool, revision: (HookTarget) -> UInt64) -> Request {
        let target = pick(pool.targets)
        let flags = flagBits()
        let relative = relativeValue(flags, pool)
        let expected = expectedRevision(revision(target))
        switch rng.next() % 100 {
        case 0..<40:
            return .attach(RawAttach(program: programHandle(pool), target: target, flags: flags,
                                     replaceProgram: programHandle(pool), relative: relative,
                                     expectedRevision: expected))
        case 40..<65:
            return .detach(RawDetach(program: chance(70) ? programHandle(pool) : 0, target: target, flags: flags,
                                     relative: relative, expectedRevision: expected))
        case 65..<88:
            return .linkCreate(RawLinkCreate(program: programHandle(pool), target: target, flags: flags,
                                             relative: relative, expectedRevision: expected))
        default:
            let link = pool.links.isEmpty || chance(8) ? closedHandle : pick(pool.links).handle.rawValue
            let replace = chance(40)
            return .linkUpdate(RawLinkUpdate(link: link, newProgram: programHandle(pool),
                                             flags: (replace ? bpfFReplace : 0) | (chance(5) ? 0x8 : 0),
                                             oldProgram: replace || chance(5) ? programHandle(pool) : 0))
        }
    }

    private mutating func flagBits() -> UInt32 {
        var flags: AttachFlags = []
        for (flag, percent) in [(AttachFlags.before, 35), (.after, 30), (.replace, 12), (.id, 30), (.link, 25)]
            as [(AttachFlags, UInt64)] where chance(percent) {
            flags.insert(flag)
        }
        if chance(4) { flags.insert(AttachFlags(rawValue: pick([0x40, 0x400, 0x1, 0x2]))) }
        return flags.rawValue
    }

    private mutating func relativeValue(_ raw: UInt32, _ pool: Pool) -> UInt32 {
        let flags = AttachFlags(rawValue: raw)
        guard chance(75) else { return chance(50) ? 0 : programHandle(pool) }
        if flags.contains(.id) {
            if chance(10) { return pick([0, unknownID]) }
            if flags.contains(.link) { return pool.links.isEmpty ? unknownID : pick(pool.links).id }
            return pick(pool.programs).id
        }
        if flags.contains(.link) && !pool.links.isEmpty && chance(70) { return pick(pool.links).handle.rawValue }
        return chance(20) && !pool.links.isEmpty ? pick(pool.links).handle.rawValue : programHandle(pool)
    }

    private mutating func programHandle(_ pool: Pool) -> UInt32 {
        switch rng.next() % 100 {
        case 0..<4: return closedHandle
        case 4..<8 where !pool.misfits.isEmpty: return pick(pool.misfits).rawValue
        default: return pick(pool.programs).handle.rawValue
        }
    }

    private mutating func expectedRevision(_ current: UInt64) -> UInt64 {
        guard chance(30) else { return 0 }
        return pick([current, current, current &- 1, current &+ 1, 1])
    }
}

extension RandomRequests {
    /// A world for random requests: eight sched_cls programs, one xdp program (a misfit for
    /// every field), and prog-mode attachments and links mixed over `targets`.
    public static func makePool(in world: any TCXSystem, targets: [HookTarget]) throws(TCXError) -> Pool {
        var programs: [(handle: Handle, id: UInt32)] = []
        for index in 0..<8 {
            let handle = try world.loadProgram(.returning(Verdict.next.rawValue, name: "r\(index)"))
            programs.append((handle, try world.programInfo(handle).id))
        }
        let xdp = try world.loadProgram(ProgramSpec(name: "x", type: .xdp,
                                                    instructions: ProgramSpec.returning(2, name: "x").instructions))
        var links: [(handle: Handle, id: UInt32)] = []
        for (index, program) in programs.prefix(6).enumerated() {
            let target = targets[index % targets.count]
            if index % 2 == 1 {
                let link = try world.link(program.handle, to: target)
                links.append((link, try world.linkInfo(link).id))
            } else {
                try world.attach(program.handle, to: target)
            }
        }
        return Pool(programs: programs, misfits: [xdp], links: links, targets: targets)
    }

    /// Sends one request; nil when it succeeded (a new link joins the pool), else the refusal.
    public static func send(_ request: Request, to world: any TCXSystem, pool: inout Pool) -> TCXError? {
        do throws(TCXError) {
            switch request {
            case .attach(let raw): try world.attach(raw)
            case .detach(let raw): try world.detach(raw)
            case .linkCreate(let raw):
                let link = try world.createLink(raw)
                pool.links.append((link, try world.linkInfo(link).id))
            case .linkUpdate(let raw): try world.updateLink(raw)
            }
            return nil
        } catch {
            return error
        }
    }
}
