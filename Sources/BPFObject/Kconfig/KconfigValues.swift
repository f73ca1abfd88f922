import BPFCore

/// The `.kconfig` map's value: every `__kconfig` extern laid out and filled as libbpf does it.
struct KconfigValues {
    /// Offset of each extern in the value, by name.
    var offsets: [String: Int] = [:]
    var bytes: [UInt8] = []
    /// Strong externs nothing set: a program that reads one is refused (ESRCH).
    var unresolved: Set<String> = []

    /// libbpf's `enum libbpf_tristate`.
    static let tristateNo: UInt64 = 0, tristateYes: UInt64 = 1, tristateModule: UInt64 = 2

    /// KERNEL_VERSION(major, minor, patch) of a release such as `6.18.44-fc`, patch capped at 255.
    static func kernelVersion(_ release: String) -> UInt32? {
        let numbers = release.split(separator: ".", maxSplits: 2).map { part in UInt32(part.prefix { $0.isASCII && $0.isNumber }) }
        guard numbers.count == 3, let major = numbers[0], let minor = numbers[1], let patch = numbers[2],
              major < 256, minor < 256 else { return nil }
        return major << 16 | minor << 8 | min(patch, 255)
    }

    struct Variable {
        let name: String
        let isWeak: Bool
        let type: KconfigType
        let size: Int
        let alignment: Int
    }

    init(_ externs: [Extern], source: KconfigSource, fail: Failure) throws(ObjectError) {
        var variables: [Variable] = externs.compactMap { e in
            guard case let .kconfig(type, size, alignment) = e.kind else { return nil }
            return Variable(name: e.name, isWeak: e.isWeak, type: type, size: size, alignment: alignment)
        }
        guard !variables.isEmpty else { return }
        // Largest alignment first, then smallest size, then by name (libbpf's cmp_externs).
        variables.sort { a, b in
            if a.alignment != b.alignment { return a.alignment > b.alignment }
            if a.size != b.size { return a.size < b.size }
            return Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }
        var offset = 0
        var layout: [String: Variable] = [:]
        for variable in variables {
            offset = (offset + variable.alignment - 1) / variable.alignment * variable.alignment
            offsets[variable.name] = offset
            layout[variable.name] = variable
            offset += variable.size
            guard offset <= Int(GlobalData.maxSize) else {
                throw fail(".kconfig", "kconfig externs exceed the kernel's \(GlobalData.maxSize)-byte limit for a map value")
            }
        }
        bytes = [UInt8](repeating: 0, count: (offset + 7) / 8 * 8)
        var set: Set<String> = []
        var needsConfiguration = false
        for variable in variables {
            let where_ = "extern (kcfg) '\(variable.name)'"
            if variable.name == "LINUX_KERNEL_VERSION" {
                guard let version = source.release.flatMap(Self.kernelVersion) else {
                    throw fail(where_, "failed to get kernel version")
                }
                try setNumber(variable, UInt64(version), fail: fail)
                set.insert(variable.name)
            } else if variable.name.hasPrefix("LINUX_") {
                switch variable.name {
                case "LINUX_HAS_BPF_COOKIE": try setBool(variable, source.hasBPFCookie, fail: fail)
                case "LINUX_HAS_SYSCALL_WRAPPER": try setBool(variable, source.hasSyscallWrapper, fail: fail)
                default:
                    guard variable.isWeak else { throw fail(where_, "unrecognized virtual extern") }
                    continue
                }
                set.insert(variable.name)
            } else if variable.name.hasPrefix("CONFIG_") {
                needsConfiguration = true
            } else {
                throw fail(where_, "unrecognized extern '\(variable.name)'")
            }
        }
        if needsConfiguration {
            guard let text = source.configuration else {
                var error = fail(nil, "failed to open system Kconfig (/boot/config-<release>, /proc/config.gz)")
                error.errno = .ENOENT
                throw error
            }
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                guard line.hasPrefix("CONFIG_") else { continue }
                guard let equals = line.firstIndex(of: "=") else {
                    throw fail("kernel configuration", "failed to parse '\(line)': no separator")
                }
                let name = String(line[..<equals]), value = line[line.index(after: equals)...]
                guard !value.isEmpty else { throw fail("kernel configuration", "failed to parse '\(line)': no value") }
                guard let variable = layout[name], !set.contains(name) else { continue }
                try assign(variable, String(value), fail: fail)
                set.insert(name)
            }
        }
        unresolved = Set(variables.filter { !$0.isWeak && !set.contains($0.name) }.map(\.name))
    }

    /// One `CONFIG_X=value` line: y/n/m, a quoted string, or an integer (any C base).
    private mutating func assign(_ variable: Variable, _ value: String, fail: Failure) throws(ObjectError) {
        let where_ = "extern (kcfg) '\(variable.name)'"
        switch value.utf8.first {
        case UInt8(ascii: "y"), UInt8(ascii: "n"), UInt8(ascii: "m"):
            try assignLetter(variable, value.utf8.first ?? 0, fail: fail)
        case UInt8(ascii: "\""):
            guard variable.type == .characterArray else { throw fail(where_, "value '\(value)' implies char array type") }
            let text = Array(value.utf8)
            guard text.count >= 2, text.last == UInt8(ascii: "\"") else { throw fail(where_, "invalid string config '\(value)'") }
            let content = text[1 ..< text.count - 1].prefix(variable.size - 1)
            guard let offset = offsets[variable.name] else { return }
            for (i, byte) in content.enumerated() { bytes[offset + i] = byte }
        default:
            guard let number = Self.parseInteger(value) else { throw fail(where_, "value '\(value)' isn't a valid integer") }
            switch variable.type {
            case .int, .char: try setNumber(variable, number, fail: fail)
            default: throw fail(where_, "value '\(value)' implies integer type")
            }
        }
    }

    /// strtoull with base 0, all of the text consumed: leading blanks and a sign, then `0x`
    /// hexadecimal, a leading `0` octal, else decimal; a minus negates in 64 bits, as C does.
    static func parseInteger(_ text: String) -> UInt64? {
        var digits = Substring(text).drop { $0 == " " || $0 == "\t" }
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if digits.hasPrefix("0"), digits.count > 1 {
            radix = 8
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first != "+", first != "-", let value = UInt64(digits, radix: radix) else { return nil }
        return negative ? 0 &- value : value
    }

    /// The virtual booleans are set as libbpf sets them, as the letter y or n.
    private mutating func setBool(_ variable: Variable, _ value: Bool, fail: Failure) throws(ObjectError) {
        try assignLetter(variable, value ? UInt8(ascii: "y") : UInt8(ascii: "n"), fail: fail)
    }

    /// y, n or m: a bool (not m), a tristate, or the letter itself in a char.
    private mutating func assignLetter(_ variable: Variable, _ letter: UInt8, fail: Failure) throws(ObjectError) {
        let where_ = "extern (kcfg) '\(variable.name)'"
        switch variable.type {
        case .bool:
            guard letter != UInt8(ascii: "m") else { throw fail(where_, "value 'm' implies tristate or char type") }
            write(letter == UInt8(ascii: "y") ? 1 : 0, variable)
        case .tristate:
            write(letter == UInt8(ascii: "y") ? Self.tristateYes : letter == UInt8(ascii: "m") ? Self.tristateModule : Self.tristateNo,
                  variable)
        case .char:
            write(UInt64(letter), variable)
        default:
            throw fail(where_, "value '\(Character(Unicode.Scalar(letter)))' implies bool, tristate, or char type")
        }
    }

    /// libbpf's range check: the value must fit the extern's width (signed or not).
    private mutating func setNumber(_ variable: Variable, _ value: UInt64, fail: Failure) throws(ObjectError) {
        if variable.size < 8 {
            let bits = UInt64(variable.size * 8)
            let fits: Bool
            if case .int(signed: true) = variable.type {
                let signed = Int64(bitPattern: value)
                fits = signed >= -(1 << (bits - 1)) && signed < 1 << (bits - 1)
            } else {
                fits = value >> bits == 0
            }
            guard fits else {
                var error = fail("extern (kcfg) '\(variable.name)'", "value \(value) doesn't fit in \(variable.size) bytes")
                error.errno = .ERANGE
                throw error
            }
        }
        write(value, variable)
    }

    private mutating func write(_ value: UInt64, _ variable: Variable) {
        guard let offset = offsets[variable.name] else { return }
        for i in 0 ..< min(variable.size, 8) { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
}
