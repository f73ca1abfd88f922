/// The kernel's text of an object by its BTF type (kernel/bpf/btf.c's btf_show, as
/// bpf_snprintf_btf drives it), rebuilt from what it prints: one walk over the type, each kind
/// printing `indent (name)value delimiter newline`, aggregates opening a brace and going one
/// level deeper. Zero values below the top are left out unless `zero` is set, and a struct or
/// array below the top is first walked silently to learn whether anything in it would show
/// (the kernel's depth check); nothing of it prints when nothing would.
///
/// The object is the bytes the caller read; reads past them see zeros, as they do in the
/// kernel's own copy of a top-level object (only an enum narrower than 4 bytes, read as an int,
/// or a corrupt bitfield reaches past).
struct BTFShow {
    struct State {
        var depth = 0
        /// The depth (plus one) of the aggregate being walked silently; 0 when printing.
        var depthCheck = 0
        /// The deepest level a value was shown at during the silent walk.
        var depthToShow = 0
        var member: BTFType.Member?
        /// Inside an array's element: names are left out.
        var arrayMember = false
        /// `BTF_INT_CHAR` while walking an array of 1-byte ints, shown as characters.
        var arrayEncoding: UInt8 = 0
        /// A char array met its NUL: the rest is not shown.
        var arrayTerminated = false
        /// The kind and id being shown: the name's starting point, and a compact `|` instead of
        /// `,` after an item whose kind is a union (in practice only an empty union's brace).
        var typeKind: BTFKind?
        var typeID: UInt32 = 0
    }

    static let intSigned: UInt8 = 1
    static let intChar: UInt8 = 2
    /// `MAX_RESOLVE_DEPTH`: the kernel refuses BTF nesting types deeper, so no object of a
    /// loaded BTF nests deeper; corrupt BTF is shown no further than this.
    static let maxNesting = 32
    /// Elements of an array whose elements have no size (pointers, arrays: the kernel shows
    /// the first one again and again) shown at most; a real array never has more.
    static let maxZeroSizeElements = 1 << 16
    /// Types shown in one call at most. The largest vmlinux structs show a few thousand, a
    /// 64 KiB char array 64 Ki; corrupt BTF (arrays of arrays, each 2^32 elements without a size
    /// of their own) would otherwise multiply without end.
    static let maxSteps = 1 << 18

    let btf: BTF
    let flags: BTFShowFlags
    let object: UnsafeRawBufferPointer
    /// `%p`'s hash of a pointer that is neither NULL nor an error.
    let hashPointer: (UInt64) -> UInt64
    var state = State()
    var text: BTFShowText
    var nesting = 0
    var steps = 0

    init(btf: BTF, flags: BTFShowFlags, object: UnsafeRawBufferPointer, capacity: Int,
         hashPointer: @escaping (UInt64) -> UInt64) {
        self.btf = btf
        self.flags = flags
        self.object = object
        self.hashPointer = hashPointer
        text = BTFShowText(capacity: capacity)
    }

    // MARK: printing

    private var compact: Bool { flags.contains(.compact) }
    private var indent: [UInt8] { compact ? [] : Array(repeating: 0x20, count: min(state.depth, 32)) }
    private var newline: [UInt8] { compact ? [] : [0x0a] }
    private var delimiter: [UInt8] {
        if state.depth == 0 { return [] }
        return compact && state.typeKind == .union ? Array("|".utf8) : Array(",".utf8)
    }

    /// Prints unless walking silently.
    mutating func print(_ piece: [UInt8]) {
        if state.depthCheck == 0 { text.append(piece) }
    }

    /// A value: shown when non-zero, when `zero` is set, or at the top.
    mutating func showValue(_ value: [UInt8], isZero: Bool) {
        guard !isZero || flags.contains(.zero) || state.depth == 0 else { return }
        showValueAlways(value)
    }

    mutating func showValueAlways(_ value: [UInt8]) {
        print(indent + typeName() + value + delimiter + newline)
        if state.depth > state.depthToShow { state.depthToShow = state.depth }
    }

    mutating func startType(_ type: BTFType, _ id: UInt32) {
        state.typeKind = type.kind
        state.typeID = id
    }

    mutating func endType() {
        state.typeKind = nil
        state.typeID = 0
    }

    mutating func startAggregate(_ type: BTFType, _ id: UInt32) {
        startType(type, id)
        print(indent + typeName() + newline)
        state.depth += 1
    }

    mutating func endAggregate(_ suffix: String) {
        state.depth -= 1
        print(indent + Array(suffix.utf8) + delimiter + newline)
        endType()
    }

    // MARK: reading

    /// `count` bytes at `offset` of the object, zeros past its end.
    func bytes(at offset: Int, _ count: Int) -> [UInt8] {
        (0 ..< count).map { i in
            let at = offset + i
            return at >= 0 && at < object.count ? object[at] : 0
        }
    }

    func unsigned(at offset: Int, _ count: Int) -> UInt64 {
        bytes(at: offset, count).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }

    // MARK: kinds

    mutating func show(_ type: BTFType, _ id: UInt32, at offset: Int, bitOffset: UInt8) {
        guard nesting < Self.maxNesting, steps < Self.maxSteps else { return }
        nesting += 1
        steps += 1
        defer { nesting -= 1 }
        switch type.kind {
        case .int: showInt(type, id, at: offset, bitOffset: bitOffset)
        case .pointer: showPointer(type, id, at: offset)
        case .array: showAggregate(type, id, at: offset, bitOffset: bitOffset)
        case .structure, .union: showAggregate(type, id, at: offset, bitOffset: bitOffset)
        case .enumeration: showEnum(type, id, at: offset)
        case .enum64: showEnum64(type, id, at: offset)
        case .typedef, .volatile, .const, .restrict, .typeTag, .variable:
            // The kernel shows what the modifier resolves to under the modifier's own id
            // (vmlinux keeps no resolved ids), so a top-level typedef keeps its name.
            guard let resolved = resolvedID(id), let target = btf.type(resolved) else { return }
            show(target, id, at: offset, bitOffset: bitOffset)
        case .dataSection: showSection(type, id, at: offset, bitOffset: bitOffset)
        case .void, .forward, .function, .functionProto, .float, .declTag:
            print(Array("<unsupported kind:\(type.kind.rawValue)>".utf8))
        }
    }

    private mutating func showInt(_ type: BTFType, _ id: UInt32, at offset: Int, bitOffset: UInt8) {
        let encoding = UInt8(truncatingIfNeeded: type.intData >> 24) & 0x0f
        let signed = encoding & Self.intSigned != 0
        let bits = Int(type.intData & 0xff)
        let intOffset = Int(type.intData >> 16 & 0xff)
        startType(type, id)
        defer { endType() }
        guard bitOffset == 0, intOffset == 0, bits % 8 == 0, [8, 16, 32, 64, 128].contains(bits) else {
            let total = Int(bitOffset) + intOffset
            showBitfield(at: offset + total / 8, bitOffset: total % 8, bits: bits)
            return
        }
        if bits == 128 {
            showInt128(low: unsigned(at: offset, 8), high: unsigned(at: offset + 8, 8))
            return
        }
        let raw = unsigned(at: offset, bits / 8)
        if bits == 8, state.arrayEncoding == Self.intChar {
            if state.arrayTerminated { return }
            if raw == 0 {
                state.arrayTerminated = true
                return
            }
            if Self.isPrintable(UInt8(truncatingIfNeeded: raw)) {
                showValue([0x27, UInt8(truncatingIfNeeded: raw), 0x27], isZero: false)
                return
            }
        }
        let shift = UInt64(64 - bits)
        let value = signed ? String(Int64(bitPattern: raw << shift) >> shift) : String(raw)
        showValue(Array(value.utf8), isZero: raw == 0)
    }

    /// The kernel's isprint: ASCII 0x20-0x7e and Latin-1 0xa0-0xff (chars are unsigned).
    static func isPrintable(_ c: UInt8) -> Bool {
        (0x20 ... 0x7e).contains(c) || c >= 0xa0
    }

    /// `bits` bits from `bitOffset` bits into the byte at `offset`, shown in hex as the kernel
    /// shows every bitfield.
    mutating func showBitfield(at offset: Int, bitOffset: Int, bits: Int) {
        let copied = min((bits + bitOffset + 7) / 8, 16)
        let raw = bytes(at: offset, copied) + Array(repeating: 0, count: 16 - copied)
        var low = raw[0 ..< 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        var high = raw[8 ..< 16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * ($1.offset - 8)) }
        // Drop the bits below, then the ones above.
        if bitOffset > 0 {
            low = low >> UInt64(bitOffset) | high << UInt64(64 - bitOffset)
            high >>= UInt64(bitOffset)
        }
        if bits <= 0 {
            (low, high) = (0, 0)
        } else if bits < 64 {
            (low, high) = (low & (1 << UInt64(bits) - 1), 0)
        } else if bits < 128 {
            high &= bits == 64 ? 0 : (1 << UInt64(bits - 64) - 1)
        }
        showInt128(low: low, high: high)
    }

    mutating func showInt128(low: UInt64, high: UInt64) {
        if high == 0 {
            showValue(Array("0x\(String(low, radix: 16))".utf8), isZero: low == 0)
        } else {
            let lowText = String(low, radix: 16)
            let padded = String(repeating: "0", count: 16 - lowText.count) + lowText
            showValueAlways(Array("0x\(String(high, radix: 16))\(padded)".utf8))
        }
    }

    private mutating func showPointer(_ type: BTFType, _ id: UInt32, at offset: Int) {
        let value = unsigned(at: offset, 8)
        startType(type, id)
        // `%p` prints NULL and error pointers as they are and hashes the rest.
        let isError = value >= UInt64.max - 4094
        let shown = flags.contains(.pointerRaw) || value == 0 || isError ? value : hashPointer(value)
        let digits = String(shown, radix: 16)
        showValue(Array(("0x" + String(repeating: "0", count: max(16 - digits.count, 0)) + digits).utf8), isZero: value == 0)
        endType()
    }

    private mutating func showEnum(_ type: BTFType, _ id: UInt32, at offset: Int) {
        // The kernel reads an int whatever the enum's size.
        let raw = UInt32(truncatingIfNeeded: unsigned(at: offset, 4))
        startType(type, id)
        defer { endType() }
        if let known = type.enumValues.first(where: { UInt32(truncatingIfNeeded: $0.value) == raw }) {
            showValueAlways(Array(known.name.utf8))
            return
        }
        let value = type.kindFlag ? String(Int32(bitPattern: raw)) : String(raw)
        showValue(Array(value.utf8), isZero: raw == 0)
    }

    private mutating func showEnum64(_ type: BTFType, _ id: UInt32, at offset: Int) {
        let raw = unsigned(at: offset, 8)
        startType(type, id)
        defer { endType() }
        if let known = type.enumValues.first(where: { $0.value == raw }) {
            showValueAlways(Array(known.name.utf8))
            return
        }
        let value = type.kindFlag ? String(Int64(bitPattern: raw)) : String(raw)
        showValue(Array(value.utf8), isZero: raw == 0)
    }

    /// A data section: its name as a value, then its variables at the same depth, comma-
    /// separated; the kernel closes no brace.
    private mutating func showSection(_ type: BTFType, _ id: UInt32, at offset: Int, bitOffset: UInt8) {
        startType(type, id)
        showValueAlways(Array("section (\"\(type.name)\") = {".utf8))
        for (i, entry) in type.sectionEntries.enumerated() {
            guard let variable = btf.type(entry.type) else { continue }
            if i > 0 { print(Array(",".utf8)) }
            show(variable, entry.type, at: offset + Int(entry.offset), bitOffset: bitOffset)
        }
        endType()
    }
}
