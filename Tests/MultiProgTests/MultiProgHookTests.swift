import BPFCore
import Testing
@testable import MultiProg

final class Prog: CustomStringConvertible {
    let name: String
    init(_ name: String) { self.name = name }
    var description: String { name }
}

final class Lnk {}

typealias TestHook = MultiProgHook<Prog, Lnk>

/// A hook with programs p0…p(n-1) attached in order (prog mode).
func hook(with count: Int) -> (TestHook, [Prog]) {
    let hook = TestHook(describe: { $0.name })
    let programs = (0..<count).map { Prog("p\($0)") }
    for program in programs {
        try! hook.attach(Slot(program: program, link: nil), flags: [], expectedRevision: 0, replacing: nil) { nil }
    }
    return (hook, programs)
}

func order(_ hook: TestHook) -> [String] { hook.slots.map(\.program.name) }

func rel(_ p: Prog, _ l: Lnk? = nil) -> RelativeObject<Prog, Lnk> {
    RelativeObject(program: p, link: l, label: p.name)
}

func errno(_ body: () throws -> Void) -> LinuxErrno? {
    do { try body(); return nil } catch let refusal as MultiProgRefusal { return refusal.errno } catch { return nil }
}

@Suite struct AttachPlacement {
    @Test func appendPrependAndRelative() throws {
        let (hook, p) = hook(with: 2)
        #expect(hook.revision == 3)
        let a = Prog("a"), b = Prog("b"), c = Prog("c")
        try hook.attach(Slot(program: a, link: nil), flags: .before, expectedRevision: 0, replacing: nil) { nil }
        try hook.attach(Slot(program: b, link: nil), flags: .before, expectedRevision: 0, replacing: nil) { rel(p[1]) }
        try hook.attach(Slot(program: c, link: nil), flags: .after, expectedRevision: 5, replacing: nil) { rel(p[0]) }
        #expect(order(hook) == ["a", "p0", "c", "b", "p1"])
        #expect(hook.revision == 6)
    }

    @Test func refusalsLeaveEverythingAsItWas() {
        let (hook, p) = hook(with: 3)
        let x = Prog("x")
        let cases: [(AttachFlags, RelativeObject<Prog, Lnk>?, UInt64, LinuxErrno)] = [
            ([.before, .after], nil, 0, .ERANGE),
            ([.before, .after], rel(p[1]), 0, .ERANGE),
            ([.before], rel(Prog("absent")), 0, .ENOENT),
            ([], rel(p[0]), 0, .EINVAL),
            ([.id], nil, 0, .EINVAL),
            (AttachFlags(rawValue: 0x40), nil, 0, .EINVAL),
            ([], nil, 1, .ESTALE),
        ]
        for (flags, relative, revision, expected) in cases {
            let got = errno {
                try hook.attach(Slot(program: x, link: nil), flags: flags, expectedRevision: revision, replacing: nil) { relative }
            }
            #expect(got == expected, "flags \(flags)")
            #expect(order(hook) == ["p0", "p1", "p2"])
            #expect(hook.revision == 4)
        }
        #expect(errno { try hook.attach(Slot(program: p[0], link: nil), flags: [], expectedRevision: 0, replacing: nil) { nil } } == .EEXIST)
    }

    @Test func replaceChecksNeighbours() throws {
        let (hook, p) = hook(with: 3)
        let x = Prog("x")
        // REPLACE|BEFORE p2 works only for the program right before p2.
        #expect(errno { try hook.attach(Slot(program: x, link: nil), flags: [.replace, .before], expectedRevision: 0,
                                        replacing: Slot(program: p[0], link: nil)) { rel(p[2]) } } == .ERANGE)
        try hook.attach(Slot(program: x, link: nil), flags: [.replace, .before], expectedRevision: 0,
                        replacing: Slot(program: p[1], link: nil)) { rel(p[2]) }
        #expect(order(hook) == ["p0", "x", "p2"])
        #expect(errno { try hook.attach(Slot(program: Prog("y"), link: nil), flags: .replace, expectedRevision: 0,
                                        replacing: nil) { nil } } == .ENOENT)
    }

    @Test func linkOwnedSlotsAreBusyForProgMode() throws {
        let (hook, _) = hook(with: 1)
        let owned = Prog("owned"), link = Lnk()
        try hook.attach(Slot(program: owned, link: link), flags: [], expectedRevision: 0, replacing: nil) { nil }
        #expect(errno { try hook.attach(Slot(program: Prog("z"), link: nil), flags: .replace, expectedRevision: 0,
                                        replacing: Slot(program: owned, link: nil)) { nil } } == .EBUSY)
        #expect(errno { try hook.detach(Slot(program: owned, link: nil), flags: [], expectedRevision: 0) { nil } } == .EBUSY)
        #expect(errno { try hook.detach(nil, flags: [], expectedRevision: 0) { nil } } == .EBUSY)
        try hook.detach(Slot(program: owned, link: link), flags: [], expectedRevision: 0) { nil }
        #expect(order(hook) == ["p0"])
    }

    @Test func sixtyThreeEntriesAtMost() throws {
        let (hook, p) = hook(with: 63)
        #expect(errno { try hook.attach(Slot(program: Prog("x"), link: nil), flags: [], expectedRevision: 0, replacing: nil) { nil } } == .ERANGE)
        #expect(errno { try hook.attach(Slot(program: Prog("x"), link: nil), flags: .before, expectedRevision: 0, replacing: nil) { rel(p[62]) } } == .ERANGE)
        // Replacing on a full hook is fine; so is detaching by program.
        try hook.attach(Slot(program: Prog("x"), link: nil), flags: .replace, expectedRevision: 0,
                        replacing: Slot(program: p[62], link: nil)) { nil }
        // "Detach the last one" by position fails on a full hook.
        #expect(errno { try hook.detach(nil, flags: [], expectedRevision: 0) { nil } } == .ERANGE)
        #expect(errno { try hook.detach(nil, flags: .after, expectedRevision: 0) { nil } } == .ERANGE)
        try hook.detach(nil, flags: .after, expectedRevision: 0) { rel(p[61]) }
        #expect(hook.count == 62)
    }
}

@Suite struct DetachPlacement {
    @Test func positional() throws {
        var (hook, p) = hook(with: 4)
        try hook.detach(nil, flags: .before, expectedRevision: 0) { nil }
        #expect(order(hook) == ["p1", "p2", "p3"])
        try hook.detach(nil, flags: .after, expectedRevision: 0) { nil }
        #expect(order(hook) == ["p1", "p2"])
        try hook.detach(nil, flags: [], expectedRevision: 0) { nil }
        #expect(order(hook) == ["p1"])
        (hook, p) = MultiProgTests.hook(with: 3)
        // BEFORE the first removes the first itself; AFTER the last removes the last.
        try hook.detach(nil, flags: .before, expectedRevision: 0) { rel(p[0]) }
        #expect(order(hook) == ["p1", "p2"])
        try hook.detach(nil, flags: .after, expectedRevision: 0) { rel(p[2]) }
        #expect(order(hook) == ["p1"])
    }

    @Test func withProgramAndRelative() throws {
        let (hook, p) = hook(with: 4)
        #expect(errno { try hook.detach(Slot(program: p[1], link: nil), flags: .before, expectedRevision: 0) { rel(p[3]) } } == .ERANGE)
        #expect(errno { try hook.detach(Slot(program: p[1], link: nil), flags: .before, expectedRevision: 0) { nil } } == .ERANGE)
        #expect(errno { try hook.detach(nil, flags: [], expectedRevision: 0) { rel(p[1]) } } == .EINVAL)
        #expect(errno { try hook.detach(nil, flags: .replace, expectedRevision: 0) { nil } } == .EINVAL)
        #expect(errno { try hook.detach(nil, flags: [], expectedRevision: 2) { nil } } == .ESTALE)
        #expect(hook.revision == 5)
        try hook.detach(Slot(program: p[1], link: nil), flags: .before, expectedRevision: 5) { rel(p[2]) }
        // A relative with no direction is checked, then ignored.
        try hook.detach(Slot(program: p[3], link: nil), flags: [], expectedRevision: 0) { rel(p[0]) }
        #expect(order(hook) == ["p0", "p2"])
        #expect(hook.revision == 7)
    }

    @Test func emptyHook() {
        let hook = TestHook()
        #expect(errno { try hook.detach(nil, flags: [], expectedRevision: 0) { nil } } == .ENOENT)
    }
}

@Suite struct Publication {
    @Test func readersSeeThePublishedOrder() throws {
        let (hook, _) = hook(with: 3)
        var seen: [String] = []
        hook.published.forEach { seen.append($0.name); return true }
        #expect(seen == ["p0", "p1", "p2"])
        try hook.detach(nil, flags: .before, expectedRevision: 0) { nil }
        seen = []
        hook.published.forEach { seen.append($0.name); return $0.name != "p1" }
        #expect(seen == ["p1"])
    }
}
