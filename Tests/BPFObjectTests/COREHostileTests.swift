import BPFCore
@testable import BPFObject
import Testing

/// Hostile target BTF — types that contain themselves, exponential anonymous nesting, cycles of
/// typedefs and pointers — ends in a refusal, quickly, never a hang or a crash.
@Suite struct COREHostileTests {
    /// Raw BTF from type records, with a string table of `names`.
    struct Builder {
        var types: [UInt32] = []
        var strings: [UInt8] = [0]

        mutating func name(_ s: String) -> UInt32 {
            guard !s.isEmpty else { return 0 }
            let offset = UInt32(strings.count)
            strings += Array(s.utf8) + [0]
            return offset
        }

        mutating func int(_ name: String) { types += [self.name(name), 1 << 24, 4, 32] }
        mutating func structure(_ name: String, members: [(String, UInt32, UInt32)]) {
            types += [self.name(name), 4 << 24 | UInt32(members.count), 8]
            for (n, t, o) in members { types += [self.name(n), t, o] }
        }
        mutating func typedef(_ name: String, _ to: UInt32) { types += [self.name(name), 8 << 24, to] }
        mutating func pointer(_ to: UInt32) { types += [0, 2 << 24, to] }

        func bytes() -> [UInt8] {
            let typeBytes = types.flatMap { v in (0 ..< 4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
            let header: [UInt32] = [24, 0, UInt32(typeBytes.count), UInt32(typeBytes.count), UInt32(strings.count)]
            return [0x9f, 0xeb, 1, 0] + header.flatMap { v in (0 ..< 4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
                + typeBytes + strings
        }

        func btf() throws -> BTF { try BTF(bytes: bytes(), location: "test", fail: Failure(file: "test")) }
    }

    /// The local side: `struct s { int x; }` (id 2), `typedef p` of a self-pointer (id 4).
    func local() throws -> BTF {
        var b = Builder()
        b.int("int")                                   // 1
        b.structure("s", members: [("x", 1, 0)])       // 2
        b.pointer(3)                                   // 3: points at itself
        b.typedef("p", 3)                              // 4
        return try b.btf()
    }

    func resolve(_ target: BTF, type: UInt32, access: String, kind: COREKind) throws -> COREFailure? {
        var applier = COREApplier(local: try local(), target: target)
        do throws(COREFailure) {
            _ = try applier.resolve(CORERelocation(instructionOffset: 0, typeID: type, access: access, kind: kind, number: 0))
            return nil
        } catch {
            return error
        }
    }

    @Test func aStructNestingItselfAnonymously() throws {
        var b = Builder()
        b.structure("s", members: [("", 1, 0), ("", 1, 0), ("", 1, 0)])
        let error = try resolve(try b.btf(), type: 2, access: "0:0", kind: .fieldByteOffset)
        #expect(error?.errno == .E2BIG)
    }

    @Test func exponentialAnonymousNestingRunsOutOfBudget() throws {
        var b = Builder()
        // Ten levels of 64 anonymous members each: 64^10 paths, none with a field `x`.
        for level in 1 ... 10 {
            let next = UInt32(level + 1)
            b.structure(level == 1 ? "s" : "l\(level)", members: (0 ..< 64).map { _ in ("", next, 0) })
        }
        b.int("int")
        let clock = ContinuousClock()
        let start = clock.now
        let error = try resolve(try b.btf(), type: 2, access: "0:0", kind: .fieldByteOffset)
        #expect(error?.reason.contains("gave up") == true)
        #expect(clock.now - start < .seconds(30))
    }

    @Test func aTypedefCycleUnderAField() throws {
        var b = Builder()
        b.structure("s", members: [("x", 2, 0)])  // 1
        b.typedef("a", 3)                         // 2
        b.typedef("b", 2)                         // 3
        let error = try resolve(try b.btf(), type: 2, access: "0:0", kind: .fieldByteOffset)
        #expect(error?.reason.contains("cyclic") == true)
    }

    @Test func pointerCyclesOnBothSides() throws {
        var b = Builder()
        b.pointer(1)          // 1: points at itself
        b.typedef("p", 1)     // 2
        let error = try resolve(try b.btf(), type: 4, access: "0", kind: .typeExists)
        #expect(error?.reason.contains("deeper") == true)
    }

    @Test func hostileAccessStrings() throws {
        var b = Builder()
        b.int("int")
        b.structure("s", members: [("x", 1, 0)])
        let target = try b.btf()
        #expect(try resolve(target, type: 2, access: "0:99", kind: .fieldByteOffset) != nil)
        #expect(try resolve(target, type: 2, access: "", kind: .fieldByteOffset) != nil)
        #expect(try resolve(target, type: 2, access: "x:1", kind: .fieldByteOffset) != nil)
        #expect(try resolve(target, type: 2, access: Array(repeating: "0", count: 100).joined(separator: ":"), kind: .fieldByteOffset) != nil)
        #expect(try resolve(target, type: 99, access: "0", kind: .typeExists) != nil)
        _ = try resolve(target, type: 2, access: "4294967295", kind: .fieldByteOffset)  // resolves; no overflow trap
    }
}
