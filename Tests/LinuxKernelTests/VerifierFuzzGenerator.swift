import BPFCore
import TCX

/// One generated program: its bytecode, its type and the shapes it was built from (named in a
/// disagreement's report, so a bucket says which template leads to it).
struct FuzzProgram {
    let instructions: [Instruction]
    let type: ProgramType
    let shapes: [String]
}

/// A seeded generator of random but plausible SCHED_CLS and SOCKET_FILTER programs that exercise
/// the verifier's rules (issue 12): each program is a few templates in a row (packet bounds, map
/// values, spills, pointer arithmetic, scalar ranges, helper memory, calls, loops, context
/// fields, unwritten registers), each template mutated now and then (an off-by-one bound, a
/// swapped register, a wrong width) so that about half the programs are refused. r6 keeps the
/// context throughout; map 0 is an array (4-byte key, 48-byte value), map 1 a hash (8, 16).
struct VerifierFuzzGenerator {
    var random: SplitMix64
    /// How often a template is mutated.
    let mutationRate: Double = 0.3

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let arrayValueSize: Int32 = 48
    static let hashValueSize: Int32 = 16

    mutating func program() -> FuzzProgram {
        let type: ProgramType = chance(0.25) ? .socketFilter : .schedCLS
        var b = FuzzProgramBuilder()
        var shapes: [String] = []
        var subprograms: [(label: Int, body: (inout FuzzProgramBuilder, inout VerifierFuzzGenerator) -> Void)] = []
        b.emit(0xbf, 6, 1)  // r6 = r1
        for _ in 0 ..< int(1 ... 3) {
            let mutate = chance(mutationRate)
            let name: String
            switch int(0 ... 12) {
            case 0, 1: name = packetAccess(&b, mutate: mutate)
            case 2: name = mapValueAccess(&b, mutate: mutate)
            case 3: name = spillFill(&b, mutate: mutate)
            case 4: name = pointerArithmetic(&b, mutate: mutate)
            case 5: name = scalarRange(&b, mutate: mutate)
            case 6: name = helperMemory(&b, mutate: mutate)
            case 7:
                let entry = b.label()
                let (shape, body) = bpfCall(&b, entry: entry, mutate: mutate)
                subprograms.append((entry, body))
                name = shape
            case 8: name = loop(&b, mutate: mutate)
            case 9: name = contextField(&b, mutate: mutate)
            case 10: name = uninitialised(&b, mutate: mutate)
            case 11: name = socketReference(&b, mutate: mutate)
            default: name = mapUpdate(&b, mutate: mutate)
            }
            shapes.append(name + (mutate ? "!" : ""))
        }
        if !chance(0.02) { b.emit(0xb7, 0, 0, 0, 0) } else { shapes.append("no-r0") }
        b.emit(0x95)
        for (label, body) in subprograms {
            b.place(label)
            body(&b, &self)
        }
        return FuzzProgram(instructions: b.finish(), type: type, shapes: shapes)
    }

    // MARK: Random choices

    mutating func chance(_ p: Double) -> Bool { Double(random.next() % 1_000_000) / 1_000_000 < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0 ... values.count - 1)] }
    static let widths: [(code: UInt8, size: Int32)] = [(0x10, 1), (0x08, 2), (0x00, 4), (0x18, 8)]
    mutating func width() -> (code: UInt8, size: Int32) { pick(Self.widths) }
    /// A load `dst = *(size *)(src + off)` with the width's size code.
    static func load(_ size: UInt8) -> UInt8 { 0x61 | size }
    static func store(_ size: UInt8) -> UInt8 { 0x63 | size }
    static func storeImm(_ size: UInt8) -> UInt8 { 0x62 | size }

    // MARK: Templates

    /// Packet bounds of varied shapes: data/data_end or meta/data, `<`/`<=`/`>`/`>=` either way
    /// round, 32-bit compares, constant or variable offsets (masked or shifted scalars).
    mutating func packetAccess(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let meta = chance(0.2)
        b.emit(0x61, 2, 6, Int16(meta ? 140 : 76))
        b.emit(0x61, 3, 6, Int16(meta ? 76 : 80))
        var shape = meta ? "pkt-meta" : "pkt"
        if chance(0.35) {
            // A variable offset: a bounded scalar from the context or the packet's length.
            b.emit(0x61, 5, 6, Int16(pick([0, 8, 16, 44])))
            if chance(0.5) {
                b.emit(0x57, 5, 0, 0, pick([0x7, 0xf, 0x3f, 0xff, 0xffff, 0x1_0000, -1]))
                shape += "+var&"
            } else {
                b.emit(pick([0x77, 0x74]), 5, 0, 0, pick([8, 16, 20, 24, 28]))
                shape += "+var>>"
            }
            b.emit(0x0f, 2, 5)
        }
        let k = Int32(int(1 ... 64))
        let access = Self.widths[int(0 ... 3)]
        var offset = Int32(int(0 ... max(0, Int(k - access.size))))
        let mutation = mutate ? int(0 ... 4) : -1
        if mutation == 0 { offset = k - access.size + 1; shape += "-offby1" }
        if mutation == 1 { offset = -1; shape += "-neg" }
        b.emit(0xbf, 4, 2)
        b.emit(0x07, 4, 0, 0, k)
        let end: UInt8 = mutation == 2 ? 2 : 3  // mutated: compared with the start, not the end
        if mutation == 2 { shape += "-wrongreg" }
        let out = b.label()
        let form = int(0 ... 7)
        shape += "-cmp\(form)"
        switch form {
        case 0: b.jump(0x2d, 4, end, to: out)  // if r4 > end goto out
        case 1: b.jump(0xad, end, 4, to: out)  // if end < r4 goto out
        case 2: b.jump(0x3d, 4, end, to: out)  // if r4 >= end goto out
        case 3: b.jump(0xbd, end, 4, to: out)  // if end <= r4 goto out
        case 4: b.jump(0x2e, 4, end, to: out)  // 32-bit: if w4 > wend goto out
        case 5: b.jump(0x6d, 4, end, to: out)  // signed: if r4 s> end goto out
        default:
            // The access on the taken side: if r4 <= end goto ok; goto out; ok:
            let ok = b.label()
            b.jump(form == 6 ? 0xbd : 0x3d, form == 6 ? 4 : end, form == 6 ? end : 4, to: ok)
            b.jump(0x05, to: out)
            b.place(ok)
        }
        let base: UInt8 = mutation == 3 ? 4 : 2  // mutated: the access from the end of the range
        if mutation == 3 { shape += "-frombound" }
        if mutation == 4 || chance(0.3) {
            b.emit(Self.storeImm(access.code), base, 0, Int16(offset), 1)
            shape += "-st\(access.size)"
        } else {
            b.emit(Self.load(access.code), 0, base, Int16(offset))
            shape += "-ld\(access.size)"
        }
        b.place(out)
        return shape
    }

    /// A map lookup, a null check, then a value access at a constant or variable offset.
    mutating func mapValueAccess(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let hash = chance(0.4)
        let size = hash ? Self.hashValueSize : Self.arrayValueSize
        var shape = hash ? "map-hash" : "map-array"
        let mutation = mutate ? int(0 ... 5) : -1
        if mutation != 0 {
            b.emit(hash ? 0x7a : 0x62, 10, 0, hash ? -8 : -4, Int32(int(0 ... 5)))
        } else {
            shape += "-nokey"
        }
        b.emit(0xbf, 2, 10)
        b.emit(0x07, 2, 0, 0, hash ? -8 : -4)
        b.loadMap(1, index: hash ? 1 : 0)
        b.emit(0x85, 0, 0, 0, 1)
        let out = b.label()
        switch mutation {
        case 1: shape += "-nonull"
        case 2: b.jump(0x55, 0, 0, imm: 0, to: out); shape += "-nullinverted"
        case 3: b.jump(0x15, 2, 0, imm: 0, to: out); shape += "-nullwrongreg"
        default: b.jump(0x15, 0, 0, imm: 0, to: out)
        }
        let access = width()
        var offset = Int32(int(0 ... Int(size - access.size)))
        if chance(0.3) {
            b.emit(0x61, 5, 6, 0)
            let mask = pick([0x7, 0xf, 0x1f, 0x3f])
            b.emit(0x57, 5, 0, 0, Int32(mask))
            if chance(0.5) { b.emit(0x0f, 0, 5) } else { b.emit(0x0c, 0, 5); shape += "-w32add" }
            offset = Int32(int(0 ... max(0, Int(size - access.size) - mask)))
            shape += "+var\(mask)"
        }
        if mutation == 4 { offset = size - access.size + 1; shape += "-offby1" }
        if mutation == 5 { offset = -access.size; shape += "-neg" }
        if chance(0.4) {
            b.emit(Self.store(access.code), 0, 6, Int16(offset))  // a pointer stored into the value
            shape += "-stptr\(access.size)"
        } else if chance(0.5) {
            b.emit(Self.storeImm(access.code), 0, 0, Int16(offset), 3)
            shape += "-st\(access.size)"
        } else {
            b.emit(Self.load(access.code), 7, 0, Int16(offset))
            shape += "-ld\(access.size)"
        }
        b.place(out)
        return shape
    }

    /// map_update_elem with a key and a value on the stack, written or not.
    mutating func mapUpdate(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let hash = chance(0.5)
        let size = hash ? Self.hashValueSize : Self.arrayValueSize
        var written = size
        var shape = hash ? "update-hash" : "update-array"
        if mutate { written -= pick([1, 4, 8]); shape += "-short\(written)" }
        b.emit(0x7a, 10, 0, -8, 0)
        var at: Int32 = 0
        while at + 8 <= written {
            b.emit(0x7a, 10, 0, Int16(-64 + at), 0)
            at += 8
        }
        while at < written {
            b.emit(0x72, 10, 0, Int16(-64 + at), 0)
            at += 1
        }
        b.loadMap(1, index: hash ? 1 : 0)
        b.emit(0xbf, 2, 10)
        b.emit(0x07, 2, 0, 0, -8)
        b.emit(0xbf, 3, 10)
        b.emit(0x07, 3, 0, 0, -64)
        b.emit(0xb7, 4, 0, 0, 0)
        b.emit(0x85, 0, 0, 0, 2)
        return shape
    }

    /// A register spilled to the stack and filled back, at varied offsets and widths, then used.
    mutating func spillFill(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let kinds = ["ctx", "fp", "const", "unknown", "pkt"]
        let kind = pick(kinds)
        var shape = "spill-\(kind)"
        switch kind {
        case "ctx": b.emit(0xbf, 7, 6)
        case "fp": b.emit(0xbf, 7, 10); b.emit(0x07, 7, 0, 0, -8); b.emit(0x7a, 10, 0, -8, 0)
        case "const": b.emit(0xb7, 7, 0, 0, Int32(int(0 ... 40)))
        case "unknown": b.emit(0x61, 7, 6, 0)
        default: b.emit(0x61, 7, 6, 76)
        }
        let slot = Int16(-8 * int(2 ... 8))
        let mutation = mutate ? int(0 ... 4) : -1
        let spillWidth: (code: UInt8, size: Int32) = mutation == 0 ? width() : (0x18, 8)
        let spillAt = mutation == 1 ? slot + Int16(pick([1, 2, 4])) : slot
        if mutation == 0 { shape += "-spill" + String(spillWidth.size) }
        if mutation == 1 { shape += "-misaligned\(spillAt - slot)" }
        b.emit(Self.store(spillWidth.code), 10, 7, spillAt)
        if mutation == 2 {
            b.emit(0x72, 10, 0, slot + Int16(int(0 ... 7)), 0)
            shape += "-clobbered"
        }
        let fill: (code: UInt8, size: Int32) = mutation == 3 ? width() : (0x18, 8)
        let fillAt = mutation == 4 ? slot - 8 : slot
        if mutation == 3 { shape += "-fill" + String(fill.size) }
        if mutation == 4 { shape += "-wrongslot" }
        b.emit(Self.load(fill.code), 8, 10, fillAt)
        switch kind {
        case "ctx": b.emit(0x61, 0, 8, 0)
        case "fp": b.emit(0x79, 0, 8, 0)
        case "pkt": b.emit(0xbf, 0, 8)
        default:
            // The number as a stack offset: only a known, small one stays inside the frame.
            b.emit(0xbf, 3, 10)
            b.emit(0x07, 3, 0, 0, -48)
            b.emit(0x0f, 3, 8)
            b.emit(0x72, 3, 0, 0, 0)
        }
        return shape
    }

    /// Arithmetic on a context, stack, packet or map value pointer: allowed and forbidden
    /// operators, 32-bit ALU, pointer ± pointer, then an access through the result.
    mutating func pointerArithmetic(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let base = pick(["ctx", "fp", "pkt"])
        var shape = "ptr-\(base)"
        switch base {
        case "ctx": b.emit(0xbf, 2, 6)
        case "fp": b.emit(0xbf, 2, 10); b.emit(0x07, 2, 0, 0, -16); b.emit(0x7a, 10, 0, -16, 0); b.emit(0x7a, 10, 0, -8, 0)
        default: b.emit(0x61, 2, 6, 76); b.emit(0x61, 3, 6, 80)
        }
        let ops: [(String, UInt8, Int32)] = mutate
            ? [("w+=", 0x04, 4), ("*=", 0x27, 2), ("&=", 0x57, -8), ("|=", 0x47, 1), ("<<=", 0x67, 1),
               ("neg", 0x87, 0), ("^=", 0xa7, 1), ("+=big", 0x07, 0x2000_0000), ("/=", 0x37, 2), ("w=", 0xbc, 0)]
            : [("+=", 0x07, 4), ("-=", 0x17, 4), ("+=0", 0x07, 0), ("-=-", 0x17, -8)]
        let (name, code, imm) = pick(ops)
        shape += name
        if code == 0xbc { b.emit(code, 2, 2) } else { b.emit(code, 2, 0, 0, imm) }
        if chance(0.3) {
            // pointer += a bounded or an unbounded number
            let bounded = !mutate || chance(0.5)
            b.emit(0x61, 4, 6, 0)
            if bounded { b.emit(0x57, 4, 0, 0, 0x7) } else { shape += "+unbounded" }
            b.emit(0x0f, 2, 4)
        }
        if chance(0.2) {
            b.emit(0xbf, 5, 2)
            b.emit(0x1f, 5, base == "ctx" ? 6 : (base == "fp" ? 10 : 3))
            shape += "-diff"
            b.emit(0xbf, 0, 5)
        }
        switch base {
        case "ctx": b.emit(0x61, 0, 2, Int16(pick([-4, 0, 4, 8]))); shape += "-ldctx"
        case "fp": b.emit(0x79, 0, 2, Int16(pick([-8, 0, 4, 8]))); shape += "-ldfp"
        default:
            let out = b.label()
            b.emit(0xbf, 4, 2)
            b.emit(0x07, 4, 0, 0, 8)
            b.jump(0x2d, 4, 3, to: out)
            b.emit(0x71, 0, 2, Int16(pick([0, 7, 8, -1])))
            b.place(out)
        }
        return shape
    }

    /// A number from the context bounded by ALU operations and branches (signed or unsigned,
    /// 32- or 64-bit, jset), then used as a stack or map-value offset.
    mutating func scalarRange(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        var shape = "range"
        switch int(0 ... 3) {
        case 0: b.emit(0x61, 2, 6, 0); shape += "-len"
        case 1: b.emit(0x79, 2, 6, 152); shape += "-tstamp"
        case 2: b.emit(0x85, 0, 0, 0, 7); b.emit(0xbf, 2, 0); shape += "-prandom"
        default: b.emit(0x69, 2, 6, 16); shape += "-proto"
        }
        let ops: [(String, UInt8, Int32)] = [
            ("&", 0x57, 0x3f), ("&", 0x57, 0xff), ("w&", 0x54, 0x1f), (">>", 0x77, 58), ("w>>", 0x74, 27),
            ("s>>", 0xc7, 60), ("ws>>", 0xc4, 28), ("<<", 0x67, 2), ("w<<", 0x64, 3), ("+", 0x07, 7),
            ("-", 0x17, 9), ("w+", 0x04, -5), ("*", 0x27, 3), ("w*", 0x24, 5), ("|", 0x47, 1), ("^", 0xa7, 0xf),
            ("%", 0x97, 37), ("w%", 0x94, 21), ("/", 0x37, 3), ("w/", 0x34, 1000), ("neg", 0x87, 0),
            ("wmov", 0xbc, 0), ("movsx8", 0xbf, 8), ("movsx16", 0xbf, 16), ("wmovsx8", 0xbc, 8), ("w-", 0x14, 100),
        ]
        for _ in 0 ..< int(1 ... 3) {
            let (name, code, imm) = pick(ops)
            shape += name
            if code == 0xbc && imm == 0 { b.emit(0xbc, 2, 2) }
            else if code == 0xbf || code == 0xbc { b.emit(code, 2, 2, Int16(imm), 0) }
            else { b.emit(code, 2, 0, 0, imm) }
        }
        let out = b.label()
        if chance(0.7) {
            let branches: [(String, UInt8, Int32)] = [
                ("u>", 0x25, 40), ("u>=", 0x35, 41), ("s>", 0x65, 40), ("s<", 0xc5, 0), ("w>", 0x26, 40),
                ("ws>", 0x66, 40), ("ws<", 0xc6, 0), ("jset", 0x45, -64), ("u<", 0xa5, 1), ("==", 0x15, 3),
                ("!=", 0x55, 3), ("wjset", 0x46, -64), ("s>=", 0x75, 41), ("w<", 0xa6, 1),
            ]
            for _ in 0 ..< int(1 ... 2) {
                let (name, code, imm) = pick(branches)
                shape += "?" + name
                b.jump(code, 2, 0, imm: imm + (mutate ? Int32(int(-3 ... 40)) : 0), to: out)
            }
        }
        if chance(0.6) {
            b.emit(0xbf, 3, 10)
            b.emit(0x07, 3, 0, 0, -64)
            b.emit(0x0f, 3, 2)
            b.emit(0x72, 3, 0, 0, 0)
            shape += "=>fp"
        } else {
            b.emit(0x62, 10, 0, -4, 0)
            b.emit(0xbf, 7, 2)
            b.emit(0xbf, 2, 10)
            b.emit(0x07, 2, 0, 0, -4)
            b.loadMap(1, index: 0)
            b.emit(0x85, 0, 0, 0, 1)
            b.jump(0x15, 0, 0, imm: 0, to: out)
            b.emit(0x0f, 0, 7)
            b.emit(0x71, 0, 0, 0)
            shape += "=>map"
        }
        b.place(out)
        return shape
    }

    /// Helpers with memory and size arguments: skb_load_bytes, csum_diff, probe_read_kernel,
    /// skb_store_bytes, with constant, bounded, zero or too large sizes and written or
    /// unwritten stack.
    mutating func helperMemory(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let buffer = Int32(pick([8, 16, 32]))
        var shape = "helper"
        let written = mutate && chance(0.5) ? buffer - 4 : buffer
        if written != buffer { shape += "-short" }
        var at: Int32 = 0
        while at < written {
            b.emit(0x62, 10, 0, Int16(-buffer + at), 0)
            at += 4
        }
        var size: Int32 = buffer
        if mutate && written == buffer { size = pick([buffer + 1, buffer + 8, 0, -1]); shape += "-size\(size)" }
        let variable = chance(0.3)
        func sizeInto(_ reg: UInt8, _ b: inout FuzzProgramBuilder) {
            if variable {
                b.emit(0x61, reg, 6, 0)
                b.emit(0x57, reg, 0, 0, size > 0 ? size - 1 : 0x3f)
            } else {
                b.emit(0xb7, reg, 0, 0, size)
            }
        }
        if variable { shape += "-varsize" }
        switch int(0 ... 3) {
        case 0:
            shape += "-skb_load_bytes"
            b.emit(0xbf, 1, 6)
            b.emit(0xb7, 2, 0, 0, Int32(int(0 ... 20)))
            b.emit(0xbf, 3, 10)
            b.emit(0x07, 3, 0, 0, -buffer)
            sizeInto(4, &b)
            b.emit(0x85, 0, 0, 0, 26)
        case 1:
            shape += "-csum_diff"
            b.emit(0xbf, 1, 10)
            b.emit(0x07, 1, 0, 0, -buffer)
            sizeInto(2, &b)
            b.emit(0xb7, 3, 0, 0, 0)
            b.emit(0xb7, 4, 0, 0, 0)
            b.emit(0xb7, 5, 0, 0, 0)
            b.emit(0x85, 0, 0, 0, 28)
        case 2:
            shape += "-probe_read_kernel"
            b.emit(0xbf, 1, 10)
            b.emit(0x07, 1, 0, 0, -buffer)
            sizeInto(2, &b)
            b.emit(0xb7, 3, 0, 0, 0)
            b.emit(0x85, 0, 0, 0, 113)
        default:
            shape += "-skb_store_bytes"
            b.emit(0xbf, 1, 6)
            b.emit(0xb7, 2, 0, 0, 14)
            b.emit(0xbf, 3, 10)
            b.emit(0x07, 3, 0, 0, -buffer)
            sizeInto(4, &b)
            b.emit(0xb7, 5, 0, 0, 0)
            b.emit(0x85, 0, 0, 0, 9)
        }
        return shape
    }

    /// A bpf-to-bpf call with the caller's stack or context as its argument; the body is
    /// emitted after the program's exit.
    mutating func bpfCall(_ b: inout FuzzProgramBuilder, entry: Int, mutate: Bool)
        -> (String, (inout FuzzProgramBuilder, inout VerifierFuzzGenerator) -> Void) {
        let passContext = chance(0.4)
        var shape = passContext ? "call-ctx" : "call-fp"
        if passContext { b.emit(0xbf, 1, 6) } else {
            b.emit(0x7a, 10, 0, -8, 7)
            b.emit(0xbf, 1, 10)
            b.emit(0x07, 1, 0, 0, -8)
        }
        b.call(entry)
        let mutation = mutate ? int(0 ... 4) : -1
        switch mutation {
        case 0: shape += "-readpast"
        case 1: shape += "-calleesaved"
        case 2: shape += "-nor0"
        case 3: shape += "-returnsfp"
        case 4: shape += "-writesctx"
        default: break
        }
        let useResult = chance(0.5)
        if useResult {
            // The result as a stack offset: a known constant from the callee.
            b.emit(0x57, 0, 0, 0, 0x7)
            b.emit(0xbf, 3, 10)
            b.emit(0x07, 3, 0, 0, -32)
            b.emit(0x0f, 3, 0)
            b.emit(0x72, 3, 0, 0, 0)
            shape += "-useresult"
        }
        return (shape, { b, _ in
            switch mutation {
            case 0: b.emit(0x79, 0, 1, passContext ? 200 : 8)
            case 1: b.emit(0xbf, 0, 6)
            case 2: b.emit(0xb7, 2, 0, 0, 0)
            case 3: b.emit(0xbf, 0, 10); b.emit(0x07, 0, 0, 0, -8); b.emit(0x7a, 10, 0, -8, 0)
            case 4: b.emit(0x62, 1, 0, passContext ? 0 : 0, 1); b.emit(0xb7, 0, 0, 0, 1)
            default:
                if passContext { b.emit(0x61, 0, 1, 0) } else { b.emit(0x79, 0, 1, 0) }
            }
            b.emit(0x95)
        })
    }

    /// A bounded loop, or one with may_goto; mutated, a loop that never ends.
    mutating func loop(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let rounds = Int32(int(2 ... 40))
        b.emit(0xb7, 2, 0, 0, 0)
        let top = b.label(), out = b.label()
        b.place(top)
        if chance(0.4) {
            b.jump(0xe5, to: out)  // may_goto out
            b.emit(0x07, 2, 0, 0, mutate ? 0 : 1)
            if mutate && chance(0.5) { b.jump(0x05, to: top); b.place(out); return "maygoto-noexit!" }
            b.jump(0xa5, 2, 0, imm: rounds, to: top)
            b.place(out)
            return "maygoto\(rounds)"
        }
        b.emit(0x07, 2, 0, 0, mutate ? 0 : 1)
        b.emit(0x61, 3, 6, 0)
        b.jump(pick([0xa5, 0xb5, 0xc5, 0xa6]), 2, 0, imm: rounds, to: top)
        b.place(out)
        return "loop\(rounds)"
    }

    /// A context field read or written at a valid or invalid offset and width.
    mutating func contextField(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        let fields: [Int32] = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 64, 68, 72, 76, 80, 84, 88,
                               92, 100, 116, 132, 136, 140, 144, 152, 160, 164, 168, 176, 180, 184]
        var offset = pick(fields)
        var access: (code: UInt8, size: Int32) = (0x00, 4)
        if [144, 152, 168, 184].contains(offset) { access = (0x18, 8) }
        if mutate || chance(0.25) {
            access = width()
            offset += Int32(int(0 ... 3))
        }
        if chance(0.3) {
            b.emit(Self.storeImm(access.code), 6, 0, Int16(offset), 1)
            return "ctx-st\(access.size)@\(offset)"
        }
        if chance(0.15) {
            b.emit(0xb7, 2, 0, 0, 1)
            b.emit(Self.store(access.code), 6, 2, Int16(offset))
            return "ctx-stx\(access.size)@\(offset)"
        }
        b.emit(Self.load(access.code), 0, 6, Int16(offset))
        return "ctx-ld\(access.size)@\(offset)"
    }

    /// Registers and stack read before anything was written to them.
    mutating func uninitialised(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        if !mutate {
            b.emit(0x7a, 10, 0, -24, 0)
            b.emit(0x79, 0, 10, -24)
            return "init-stack"
        }
        switch int(0 ... 3) {
        case 0: b.emit(0xbf, 0, 9); return "uninit-r9"
        case 1: b.emit(0x79, 0, 10, -256); return "uninit-stack"
        case 2: b.emit(0x62, 10, 0, -40, 0); b.emit(0x79, 0, 10, -40); return "uninit-halfslot"
        default: b.emit(0x07, 8, 0, 0, 1); return "uninit-r8+="
        }
    }

    /// A socket lookup's reference (bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp on a zeroed tuple):
    /// null-checked, a field read, released — or, mutated, released unchecked, leaked, leaked on
    /// one branch, released twice, used after its release, or the context released instead.
    mutating func socketReference(_ b: inout FuzzProgramBuilder, mutate: Bool) -> String {
        for offset in stride(from: -40, to: 0, by: 8) { b.emit(0x7a, 10, 0, Int16(offset), 0) }
        let lookup = pick([(84, "tcp"), (85, "udp"), (99, "skc")])
        var shape = "sk-\(lookup.1)"
        b.emit(0xbf, 1, 6)
        b.emit(0xbf, 2, 10)
        b.emit(0x07, 2, 0, 0, -40)
        b.emit(0xb7, 3, 0, 0, pick([12, 36]))  // an IPv4 or an IPv6 tuple
        b.emit(0xb7, 4, 0, 0, -1)  // BPF_F_CURRENT_NETNS
        b.emit(0xb7, 5, 0, 0, 0)
        b.emit(0x85, 0, 0, 0, Int32(lookup.0))
        b.emit(0xbf, 7, 0)
        let out = b.label()
        let mutation = mutate ? int(0 ... 6) : -1
        if mutation == 0 {
            shape += "-nonull"
        } else {
            b.jump(0x15, 7, 0, imm: 0, to: out)
        }
        let field = width()
        let offset = Int16(int(0 ... 22) * 4) + (chance(0.2) ? Int16(int(1 ... 3)) : 0)
        b.emit(Self.load(field.code), 2, 7, offset)
        shape += "-ld\(field.size)@\(offset)"
        switch mutation {
        case 1:
            shape += "-leak"
        case 2:
            let kept = b.label()
            b.jump(0x25, 2, 0, imm: 5, to: kept)  // released only when the field is at most 5
            b.emit(0xbf, 1, 7)
            b.emit(0x85, 0, 0, 0, 86)
            b.place(kept)
            shape += "-leak-one-way"
        case 3:
            b.emit(0xbf, 1, 7)
            b.emit(0x85, 0, 0, 0, 86)
            b.emit(0xbf, 1, 7)
            b.emit(0x85, 0, 0, 0, 86)
            shape += "-twice"
        case 4:
            b.emit(0xbf, 1, 7)
            b.emit(0x85, 0, 0, 0, 86)
            b.emit(0x61, 2, 7, 0)
            shape += "-after-release"
        case 5:
            b.emit(0xbf, 1, 6)
            b.emit(0x85, 0, 0, 0, 86)
            shape += "-release-ctx"
        default:
            b.emit(0xbf, 1, 7)
            b.emit(0x85, 0, 0, 0, 86)
        }
        b.place(out)
        return shape
    }
}
