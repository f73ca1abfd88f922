import BPFCore
import BPFObject
import Testing

/// bpf_snprintf_btf's text on its own (`KernelObjectText`), over a small BTF of every kind:
/// layout and flags, zero members, bitfields, char arrays, pointers, truncation, and hostile
/// types (cycles, oversized arrays, broken references) that must end, bounded.
@Suite struct BTFShowTests {
    /// Raw BTF from type records (ids from 1 in order) and their names.
    struct Builder {
        var words: [UInt32] = []
        var strings: [UInt8] = [0]
        private(set) var count: UInt32 = 0

        mutating func name(_ s: String) -> UInt32 {
            guard !s.isEmpty else { return 0 }
            let offset = UInt32(strings.count)
            strings += Array(s.utf8) + [0]
            return offset
        }

        @discardableResult mutating func add(_ record: [UInt32]) -> UInt32 {
            words += record
            count += 1
            return count
        }

        mutating func int(_ n: String, size: UInt32, bits: UInt32, encoding: UInt32 = 0) -> UInt32 {
            add([name(n), 1 << 24, size, encoding << 24 | bits])
        }
        mutating func pointer(_ to: UInt32) -> UInt32 { add([0, 2 << 24, to]) }
        mutating func array(_ element: UInt32, count: UInt32) -> UInt32 { add([0, 3 << 24, 0, element, 1, count]) }
        mutating func composite(_ n: String, union: Bool = false, size: UInt32, bitfields: Bool = false,
                                _ members: [(String, UInt32, UInt32)]) -> UInt32 {
            let kind: UInt32 = union ? 5 : 4
            var record = [name(n), kind << 24 | UInt32(members.count) | (bitfields ? 1 << 31 : 0), size]
            for (m, type, offset) in members { record += [name(m), type, offset] }
            return add(record)
        }
        mutating func enumeration(_ n: String, signed: Bool = false, _ values: [(String, Int32)]) -> UInt32 {
            var record = [name(n), 6 << 24 | UInt32(values.count) | (signed ? 1 << 31 : 0), 4]
            for (v, value) in values { record += [name(v), UInt32(bitPattern: value)] }
            return add(record)
        }
        mutating func enum64(_ n: String, _ values: [(String, UInt64)]) -> UInt32 {
            var record = [name(n), 19 << 24 | UInt32(values.count), 8]
            for (v, value) in values { record += [name(v), UInt32(truncatingIfNeeded: value), UInt32(value >> 32)] }
            return add(record)
        }
        mutating func typedef(_ n: String, _ to: UInt32) -> UInt32 { add([name(n), 8 << 24, to]) }
        mutating func const(_ to: UInt32) -> UInt32 { add([0, 10 << 24, to]) }
        mutating func float(_ n: String, size: UInt32) -> UInt32 { add([name(n), 16 << 24, size]) }
        mutating func function(_ n: String) -> UInt32 {
            let proto = add([0, 13 << 24, 0])
            return add([name(n), 12 << 24 | 1, proto])
        }

        func bytes() -> [UInt8] {
            let typeBytes = words.flatMap { v in (0 ..< 4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
            let header: [UInt32] = [24, 0, UInt32(typeBytes.count), UInt32(typeBytes.count), UInt32(strings.count)]
            return [0x9f, 0xeb, 1, 0] + header.flatMap { v in (0 ..< 4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
                + typeBytes + strings
        }
    }

    /// The types every test shows.
    struct Types {
        var b = Builder()
        let int, uchar, pair, u8, tag, named, pairPointer, flags, color, big, either, double, int128: UInt32
        let constPair, holder, function, pointers, schar, selfNest, huge, hostile, broken, longName: UInt32
        let deepArrays, constVoid: UInt32

        init() {
            int = b.int("int", size: 4, bits: 32, encoding: 1)
            uchar = b.int("unsigned char", size: 1, bits: 8)
            pair = b.composite("pair", size: 8, [("a", int, 0), ("b", int, 32)])
            u8 = b.typedef("u8", uchar)
            tag = b.array(u8, count: 4)
            named = b.composite("named", size: 12, [("tag", tag, 0), ("p", pair, 32)])
            pairPointer = b.pointer(pair)
            flags = b.composite("flags", size: 4, bitfields: true, [("x", int, 4 << 24 | 0), ("y", int, 12 << 24 | 4)])
            color = b.enumeration("color", [("RED", 0), ("BLUE", 7)])
            big = b.enum64("big", [("HUGE", 0xffff_ffff_0000_0001)])
            either = b.composite("either", union: true, size: 4, [("i", int, 0), ("c", color, 0)])
            double = b.float("double", size: 8)
            int128 = b.int("__int128", size: 16, bits: 128, encoding: 1)
            constPair = b.const(pair)
            holder = b.composite("holder", size: 16, [("c", constPair, 0), ("q", pairPointer, 64)])
            function = b.function("f")
            pointers = b.array(pairPointer, count: 3)
            schar = b.int("signed char", size: 1, bits: 8, encoding: 1)
            // A struct holding itself (no loaded BTF has one): shown no deeper than the bound.
            selfNest = b.count + 1
            b.add([b.name("self"), 4 << 24 | 1, 4, b.name("me"), selfNest, 0])
            huge = b.array(int, count: 0xffff_ffff)
            hostile = b.composite("hostile", size: 8, [("arr", huge, 0)])
            broken = b.composite("broken", size: 4, [("gone", 999, 0), ("a", int, 0)])
            longName = b.composite("long", size: 4, [(String(repeating: "m", count: 100), int, 0)])
            // Arrays of arrays have no element size: five levels of 2^32 would never end.
            var level = b.array(int, count: 0xffff_ffff)
            for _ in 0 ..< 4 { level = b.array(level, count: 0xffff_ffff) }
            deepArrays = b.composite("deep", size: 8, [("a", level, 0)])
            constVoid = b.const(0)
        }

        var text: KernelObjectText? { KernelObjectText(bytes: b.bytes()) }
    }

    static let types = Types()

    /// Shows `object` as type `id`, returning the text written (without its NUL) and the length.
    func show(_ id: UInt32, _ object: [UInt8], _ flags: BTFShowFlags = [], capacity: Int = 4096,
              hash: @escaping (UInt64) -> UInt64 = { $0 ^ 0xffff }) throws -> (text: String, length: Int) {
        let printer = try #require(Self.types.text)
        let shown = object.withUnsafeBytes { printer.show(id, object: $0, flags: flags, capacity: capacity, hashPointer: hash) }
        let kept = shown.written.isEmpty ? [] : Array(shown.written.dropLast())
        #expect(shown.written.isEmpty || shown.written.last == 0)
        return (String(decoding: kept, as: UTF8.self), shown.length)
    }

    static func le(_ values: [Int32]) -> [UInt8] {
        values.flatMap { v in (0 ..< 4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }

    @Test func aStructInEachLayout() throws {
        let t = Self.types, object = Self.le([1, 0])
        #expect(try show(t.pair, object).text == "(struct pair){\n .a = (int)1,\n}\n")
        #expect(try show(t.pair, object, .compact).text == "(struct pair){.a = (int)1,}")
        #expect(try show(t.pair, object, [.compact, .zero]).text == "(struct pair){.a = (int)1,.b = (int)0,}")
        #expect(try show(t.pair, object, [.compact, .noName]).text == "{1,}")
        #expect(try show(t.pair, object, .noName).text == "{\n 1,\n}\n")
    }

    @Test func nestedMembersCharArraysAndZeroAggregates() throws {
        let t = Self.types
        let object: [UInt8] = Array("hi".utf8) + [0, 0] + Self.le([0, -2])
        #expect(try show(t.named, object).text
            == "(struct named){\n .tag = (u8[])[\n  'h',\n  'i',\n ],\n .p = (struct pair){\n  .b = (int)-2,\n },\n}\n")
        // A char array holding only a NUL and an all-zero struct leave nothing below the top.
        #expect(try show(t.named, [UInt8](repeating: 0, count: 12), .compact).text == "(struct named){}")
        #expect(try show(t.named, [UInt8](repeating: 0, count: 12), [.compact, .zero]).text
            == "(struct named){.tag = (u8[])[],.p = (struct pair){.a = (int)0,.b = (int)0,},}")
        // Unprintable bytes as numbers, Latin-1 as the character, the NUL ends the array.
        #expect(try show(t.named, [1, 0xc8, 0, 0x41] + Self.le([0, 0]), .compact).text
            == "(struct named){.tag = (u8[])[1,'\u{fffd}',],}")
    }

    @Test func bitfieldsInHex() throws {
        let t = Self.types
        #expect(try show(t.flags, Self.le([0xabc5]), .compact).text == "(struct flags){.x = (int)0x5,.y = (int)0xabc,}")
        #expect(try show(t.flags, Self.le([0xabc0]), .compact).text == "(struct flags){.y = (int)0xabc,}")
    }

    @Test func enumsByNameOrNumber() throws {
        let t = Self.types
        #expect(try show(t.color, Self.le([7])).text == "(enum color)BLUE\n")
        #expect(try show(t.color, Self.le([3])).text == "(enum color)3\n")
        // An enumerator's name shows even when its value is 0, below the top too.
        #expect(try show(t.either, Self.le([0]), .compact).text == "(union either){.c = (enum color)RED,}")
        let huge = withUnsafeBytes(of: UInt64(0xffff_ffff_0000_0001).littleEndian, Array.init)
        #expect(try show(t.big, huge).text == "(enum big)HUGE\n")
        #expect(try show(t.big, [2, 0, 0, 0, 0, 0, 0, 0]).text == "(enum big)2\n")
    }

    @Test func integersOfEachSize() throws {
        let t = Self.types
        #expect(try show(t.int, Self.le([-5])).text == "(int)-5\n")
        #expect(try show(t.int, Self.le([0]), [.compact, .noName]).text == "0")
        #expect(try show(t.schar, [0xff]).text == "(signed char)-1\n")
        #expect(try show(t.uchar, [0xc8], .noName).text == "200\n")
        #expect(try show(t.int128, [5] + [UInt8](repeating: 0, count: 15)).text == "(__int128)0x5\n")
        #expect(try show(t.int128, [2] + [UInt8](repeating: 0, count: 7) + [1] + [UInt8](repeating: 0, count: 7)).text
            == "(__int128)0x10000000000000002\n")
        #expect(try show(t.u8, [9]).text == "(u8)9\n")
    }

    @Test func pointersRawHashedNullAndErrors() throws {
        let t = Self.types
        let object = [UInt8](repeating: 0, count: 8) + withUnsafeBytes(of: UInt64(0x1234).littleEndian, Array.init)
        #expect(try show(t.holder, object, [.compact, .pointerRaw]).text
            == "(struct holder){.q = (struct pair *)0x0000000000001234,}")
        #expect(try show(t.holder, object, .compact, hash: { _ in 0xbeef }).text
            == "(struct holder){.q = (struct pair *)0x000000000000beef,}")
        let error = [UInt8](repeating: 0, count: 8) + withUnsafeBytes(of: UInt64.max - 1, Array.init)
        #expect(try show(t.holder, error, .compact, hash: { _ in 0xbeef }).text
            == "(struct holder){.q = (struct pair *)0xfffffffffffffffe,}")
        #expect(try show(t.pairPointer, [UInt8](repeating: 0, count: 8)).text == "(struct pair *)0x0000000000000000\n")
        // A const member's name stops at the qualifier: `()`, and no brace opens.
        #expect(try show(t.holder, Self.le([1, 0, 0, 0]), .compact).text == "(struct holder){.c = ().a = (int)1,},}")
        // Pointer elements have no size of their own: the kernel shows the first each time (and
        // opens no bracket for an array of pointers).
        let three = [0x10, 0x20, 0x30].flatMap { withUnsafeBytes(of: UInt64($0).littleEndian, Array.init) }
        #expect(try show(t.pointers, three, [.compact, .pointerRaw]).text
            == "(struct pair *[])0x0000000000000010,0x0000000000000010,0x0000000000000010,]")
    }

    @Test func kindsShownWithoutTheObject() throws {
        let t = Self.types
        let printer = try #require(t.text)
        #expect(printer.need(t.double) == .nothing)
        #expect(printer.need(t.function) == .nothing)
        #expect(printer.need(t.pair) == .bytes(8))
        #expect(printer.need(t.named) == .bytes(12))
        #expect(printer.need(9999) == .noType)
        #expect(printer.need(t.huge) == .unsized)
        #expect(printer.need(t.u8) == .bytes(1))
        guard case .kernelFault = printer.need(t.constVoid) else {
            Issue.record("a const void is shown")
            return
        }
        #expect(try show(t.double, []).text == "<unsupported kind:16>")
        #expect(try show(t.function, []).text == "<unsupported kind:12>")
    }

    @Test func truncationKeepsTheWholeLength() throws {
        let t = Self.types, object = Self.le([1, 0])
        let whole = try show(t.pair, object, .compact)
        #expect(whole.length == 27)
        for capacity in [1, 2, 5, 26, 27, 28] {
            let cut = try show(t.pair, object, .compact, capacity: capacity)
            #expect(cut.length == 27)
            #expect(cut.text == String(whole.text.prefix(capacity - 1)))
        }
    }

    @Test func hostileTypesEndBounded() throws {
        let t = Self.types
        let nested = try show(t.selfNest, [0, 0, 0, 1], [.compact, .zero])
        #expect(nested.text.filter { $0 == "{" }.count <= 32)
        #expect(nested.text.hasPrefix("(struct self){.me = (struct self){"))
        // An array member far longer than the object stops at the object's end.
        #expect(try show(t.hostile, Self.le([1, 2]), [.compact, .zero]).text == "(struct hostile){.arr = (int[])[1,2,],}")
        // A member of a missing type is left out; reads past the object see zeros.
        #expect(try show(t.broken, Self.le([4]), .compact).text == "(struct broken){.a = (int)4,}")
        #expect(try show(t.pair, [1], .compact).text == "(struct pair){.a = (int)1,}")
        let deep = try show(t.deepArrays, Self.le([1, 2]), [.compact, .zero], capacity: 64)
        // Inner arrays are elements: no name, so no bracket opens for them.
        #expect(deep.text.hasPrefix("(struct deep){.a = (int[][][][][])[1,2,],1,2,"))
        #expect(deep.length < 1 << 24)
        // Names are cut to the kernel's 79 bytes.
        let long = try show(t.longName, Self.le([1]), .compact).text
        #expect(long == "(struct long){" + "." + String(repeating: "m", count: 78) + "1,}")
    }
}
