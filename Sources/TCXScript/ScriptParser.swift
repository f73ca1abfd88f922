import BPFCore
import TCX

/// Parses a tcx script (spec: tcx-script.md). Names must be bound before use, and handle names
/// and device names never stand in for each other: both are parse errors.
public struct ScriptParser {
    private enum Binding { case handle, device }
    private var bindings: [String: Binding] = ["lo": .device]
    /// The FILEs that earlier `prog … load` lines named: the only ones map commands may use.
    private var loadedFiles: Set<String> = []
    private let file: String
    private var lineNumber = 0

    public init(file: String) { self.file = file }

    public static func parse(_ source: String, file: String) throws(ScriptParseError) -> [ScriptLine] {
        var parser = ScriptParser(file: file)
        var lines: [ScriptLine] = []
        for (index, raw) in ScriptLines.split(source).enumerated() {
            parser.lineNumber = index + 1
            if let line = try parser.parseLine(String(raw)) { lines.append(line) }
        }
        return lines
    }

    /// Splits a raw line into command words and the expectation, dropping the comment.
    static func split(_ raw: String) -> (words: [String], expected: String?) {
        var body = Substring(raw)
        if let hash = body.firstIndex(of: "#") { body = body[..<hash] }
        var expected: String?
        if let arrow = body.firstRange(of: "=>") {
            expected = collapse(body[arrow.upperBound...])
            body = body[..<arrow.lowerBound]
        }
        return (body.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init), expected)
    }

    static func collapse(_ text: Substring) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    func fail(_ message: String) -> ScriptParseError {
        ScriptParseError(file: file, line: lineNumber, message: message)
    }

    mutating func parseLine(_ raw: String) throws(ScriptParseError) -> ScriptLine? {
        let (words, expected) = Self.split(raw)
        guard let verb = words.first else {
            if expected != nil { throw fail("an expectation with no command") }
            return nil
        }
        var positional: [String] = []
        var options: [String: String] = [:]
        for word in words.dropFirst() {
            if let eq = word.firstIndex(of: "=") {
                let key = String(word[..<eq])
                let value = String(word[word.index(after: eq)...])
                guard !key.isEmpty else { throw fail("'\(word)' has no option name") }
                guard options[key] == nil else { throw fail("option \(key)= is given twice") }
                options[key] = value
            } else {
                positional.append(word)
            }
        }
        let command = try parseCommand(verb, positional, options)
        return ScriptLine(number: lineNumber, text: words.joined(separator: " "), command: command, expected: expected)
    }

    // MARK: Commands

    private mutating func parseCommand(_ verb: String, _ args: [String],
                                       _ options: [String: String]) throws(ScriptParseError) -> ScriptCommand {
        switch verb {
        case "prog":
            try expect(args, atLeast: 3, "prog NAME ret VERDICT | prog NAME load FILE SECTION")
            let name = try newName(args[0], as: .handle)
            switch args[1] {
            case "ret":
                try expect(args, exactly: 3, "prog NAME ret VERDICT")
                try allow(options, [])
                return .progReturning(name: name, value: try verdict(args[2]))
            case "load":
                try expect(args, exactly: 4, "prog NAME load FILE SECTION")
                try allow(options, [])
                loadedFiles.insert(args[2])
                return .progLoad(name: name, file: args[2], section: args[3])
            default:
                throw fail("prog takes 'ret' or 'load', not '\(args[1])'")
            }
        case "dev":
            try expect(args, exactly: 3, "dev NAME veth PEER | dev NAME netkit PEER [mode=] [policy=] [peer-policy=]")
            let name = try newName(args[0], as: .device)
            let peer = try newName(args[2], as: .device)
            switch args[1] {
            case "veth":
                try allow(options, [])
                return .devVeth(name: name, peer: peer)
            case "netkit":
                try allow(options, ["mode", "policy", "peer-policy"])
                var spec = NetkitSpec(name: name, peer: peer)
                if let mode = options["mode"] {
                    guard let value = NetkitMode(rawValue: mode) else { throw fail("mode must be l2 or l3, not '\(mode)'") }
                    spec.mode = value
                }
                spec.policy = try policy(options["policy"], "policy") ?? .pass
                spec.peerPolicy = try policy(options["peer-policy"], "peer-policy") ?? .pass
                return .devNetkit(spec)
            default:
                throw fail("dev takes 'veth' or 'netkit', not '\(args[1])'")
            }
        case "dev-del":
            try expect(args, exactly: 1, "dev-del NAME")
            try allow(options, [])
            return .devDelete(name: try device(args[0]))
        case "attach":
            try expect(args, exactly: 3, "attach PROG DEV HOOK [flags=] [relative=] [replace=] [revision=]")
            try allow(options, ["flags", "relative", "replace", "revision"])
            return .attach(program: try handle(args[0]), device: try device(args[1]), hook: try hook(args[2]),
                           flags: try flags(options["flags"]), relative: try optionalHandle(options["relative"]),
                           replace: try optionalHandle(options["replace"]),
                           revision: try number(options["revision"], UInt64.self, "revision") ?? 0)
        case "detach":
            try expect(args, exactly: 3, "detach PROG|- DEV HOOK [flags=] [relative=] [revision=]")
            try allow(options, ["flags", "relative", "revision"])
            return .detach(program: args[0] == "-" ? nil : try handle(args[0]), device: try device(args[1]),
                           hook: try hook(args[2]), flags: try flags(options["flags"]),
                           relative: try optionalHandle(options["relative"]),
                           revision: try number(options["revision"], UInt64.self, "revision") ?? 0)
        case "link":
            try expect(args, exactly: 4, "link NAME PROG DEV HOOK [flags=] [relative=] [revision=]")
            try allow(options, ["flags", "relative", "revision"])
            let program = try handle(args[1])
            let command = ScriptCommand.link(
                name: args[0], program: program, device: try device(args[2]), hook: try hook(args[3]),
                flags: try flags(options["flags"]), relative: try optionalHandle(options["relative"]),
                revision: try number(options["revision"], UInt64.self, "revision") ?? 0)
            _ = try newName(args[0], as: .handle)
            return command
        case "update":
            try expect(args, exactly: 2, "update LINK PROG [old=PROG]")
            try allow(options, ["old"])
            return .update(link: try handle(args[0]), program: try handle(args[1]),
                           old: try optionalHandle(options["old"]))
        case "link-detach":
            try expect(args, exactly: 1, "link-detach LINK")
            try allow(options, [])
            return .linkDetach(link: try handle(args[0]))
        case "close":
            try expect(args, exactly: 1, "close NAME")
            try allow(options, [])
            guard case .name(let name) = try handle(args[0]) else { throw fail("close takes a name") }
            return .close(name: name)
        case "pin":
            try expect(args, exactly: 2, "pin NAME PATH")
            try allow(options, [])
            return .pin(handle: try handle(args[0]), path: args[1])
        case "get":
            try expect(args, exactly: 2, "get NAME PATH")
            try allow(options, [])
            return .get(name: try newName(args[0], as: .handle), path: args[1])
        case "unpin":
            try expect(args, exactly: 1, "unpin PATH")
            try allow(options, [])
            return .unpin(path: args[0])
        case "query":
            try expect(args, exactly: 2, "query DEV HOOK [count=N]")
            try allow(options, ["count"])
            return .query(device: try device(args[0]), hook: try hook(args[1]),
                          count: try number(options["count"], UInt32.self, "count"))
        case "info":
            try expect(args, exactly: 1, "info LINK")
            try allow(options, [])
            return .info(link: try handle(args[0]))
        case "test-run":
            try expect(args, exactly: 1, "test-run PROG packet=HEX [repeat=N] [dev=DEV]")
            try allow(options, ["packet", "repeat", "dev"])
            if let device = options["dev"] { return try testRunOnDevice(args[0], device, options) }
            return .testRun(program: try handle(args[0]), packet: try packet(options["packet"]),
                            repeat: try number(options["repeat"], UInt32.self, "repeat") ?? 1)
        case "run":
            try expect(args, exactly: 2, "run DEV HOOK packet=HEX")
            try allow(options, ["packet"])
            return .run(device: try device(args[0]), hook: try hook(args[1]), packet: try packet(options["packet"]))
        case "mac", "mtu", "addr", "route", "neigh", "listen":
            return try parseNetworkCommand(verb, args, options)
        case "map-update" where options["prog"] != nil:
            // A prog array's value is a program's fd, which only the script's names know.
            try expect(args, exactly: 3, "map-update FILE MAP KEY prog=PROG [flags=any|noexist|exist]")
            try allow(options, ["prog", "flags"])
            return .mapUpdateProgram(file: try loadedFile(args[0]), map: args[1], key: try mapKey(args[2]),
                                     program: try handle(options["prog"] ?? ""), flags: try updateFlags(options["flags"]))
        case "map-update":
            try expect(args, exactly: 4, "map-update FILE MAP KEY VALUE|prog=PROG [flags=any|noexist|exist]")
            try allow(options, ["flags"])
            return .mapUpdate(file: try loadedFile(args[0]), map: args[1], key: try mapKey(args[2]),
                              value: try hexBytes(args[3], "VALUE"), flags: try updateFlags(options["flags"]))
        case "map-lookup", "map-delete":
            try expect(args, exactly: 3, "\(verb) FILE MAP KEY")
            try allow(options, [])
            let (file, key) = (try loadedFile(args[0]), try mapKey(args[2]))
            return verb == "map-lookup" ? .mapLookup(file: file, map: args[1], key: key)
                                        : .mapDelete(file: file, map: args[1], key: key)
        default:
            throw fail("unknown command '\(verb)'")
        }
    }

    // MARK: Operands

    func expect(_ args: [String], exactly count: Int, _ usage: String) throws(ScriptParseError) {
        if args.count != count { throw fail("expected: \(usage)") }
    }

    private func expect(_ args: [String], atLeast count: Int, _ usage: String) throws(ScriptParseError) {
        if args.count < count { throw fail("expected: \(usage)") }
    }

    func allow(_ options: [String: String], _ keys: Set<String>) throws(ScriptParseError) {
        for key in options.keys.sorted() where !keys.contains(key) {
            throw fail(keys.isEmpty ? "this command takes no option \(key)=" : "unknown option \(key)= (allowed: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    static func isName(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || first == "_" else { return false }
        return word.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0))
        }
    }

    private mutating func newName(_ word: String, as binding: Binding) throws(ScriptParseError) -> String {
        guard Self.isName(word) else { throw fail("'\(word)' is not a NAME ([A-Za-z_][A-Za-z0-9_.-]*)") }
        if let existing = bindings[word], existing != binding {
            throw fail(existing == .device ? "\(word) is a device, not a program or link" : "\(word) is a program or link, not a device")
        }
        bindings[word] = binding
        return word
    }

    func handle(_ word: String) throws(ScriptParseError) -> HandleRef {
        if let value = Self.integer(word, UInt32.self) { return .number(value) }
        guard Self.isName(word) else { throw fail("'\(word)' is neither a name nor a number") }
        switch bindings[word] {
        case .handle: return .name(word)
        case .device: throw fail("\(word) is a device, not a program or link")
        case nil: throw fail("\(word) is used before a line creates it")
        }
    }

    private func optionalHandle(_ word: String?) throws(ScriptParseError) -> HandleRef? {
        guard let word else { return nil }
        return try handle(word)
    }

    func device(_ word: String) throws(ScriptParseError) -> String {
        switch bindings[word] {
        case .device: return word
        case .handle: throw fail("\(word) is a program or link, not a device")
        case nil: throw fail("device \(word) is used before a line creates it")
        }
    }

    private func hook(_ word: String) throws(ScriptParseError) -> AttachType {
        guard let hook = AttachType(hookName: word) else {
            throw fail("HOOK is ingress, egress, primary or peer, not '\(word)'")
        }
        return hook
    }

    private func flags(_ text: String?) throws(ScriptParseError) -> UInt32 {
        guard let text else { return 0 }
        var value: UInt32 = 0
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch word {
            case "before": value |= AttachFlags.before.rawValue
            case "after": value |= AttachFlags.after.rawValue
            case "replace": value |= AttachFlags.replace.rawValue
            case "id": value |= AttachFlags.id.rawValue
            case "link": value |= AttachFlags.link.rawValue
            default:
                guard let raw = Self.integer(String(word), UInt32.self) else {
                    throw fail("unknown flag '\(word)' (before, after, replace, id, link or a number)")
                }
                value |= raw
            }
        }
        return value
    }

    private func verdict(_ word: String) throws(ScriptParseError) -> Int32 {
        if let verdict = Verdict(word: word) { return verdict.rawValue }
        if let value = Self.integer(word, Int32.self) { return value }
        if let value = Self.integer(word, UInt32.self) { return Int32(bitPattern: value) }
        throw fail("VERDICT is next, pass, drop, redirect or an integer, not '\(word)'")
    }

    private func policy(_ word: String?, _ key: String) throws(ScriptParseError) -> NetkitPolicy? {
        guard let word else { return nil }
        guard let policy = NetkitPolicy(rawValue: word) else { throw fail("\(key) must be pass or drop, not '\(word)'") }
        return policy
    }

    func number<T: FixedWidthInteger>(_ text: String?, _ type: T.Type, _ key: String) throws(ScriptParseError) -> T? {
        guard let text else { return nil }
        guard let value = Self.integer(text, type) else { throw fail("\(key)= takes a number, not '\(text)'") }
        return value
    }

    private func loadedFile(_ file: String) throws(ScriptParseError) -> String {
        guard loadedFiles.contains(file) else { throw fail("\(file) is not an object an earlier 'prog … load' line loads") }
        return file
    }

    private func updateFlags(_ word: String?) throws(ScriptParseError) -> UInt64 {
        switch word {
        case nil, "any": return MapUpdateFlags.any
        case "noexist": return MapUpdateFlags.noExist
        case "exist": return MapUpdateFlags.exist
        case .some(let other): throw fail("flags= is any, noexist or exist, not '\(other)'")
        }
    }

    func packet(_ text: String?) throws(ScriptParseError) -> [UInt8] {
        guard let text else { throw fail("packet=HEX is required") }
        return try hexBytes(text, "packet=")
    }

    /// A map's KEY: hex bytes, or `-` for the empty key of a map without keys (QUEUE, STACK,
    /// BLOOM_FILTER), which a word of hex digits cannot spell.
    private func mapKey(_ text: String) throws(ScriptParseError) -> [UInt8] {
        text == "-" ? [] : try hexBytes(text, "KEY")
    }

    private func hexBytes(_ text: String, _ what: String) throws(ScriptParseError) -> [UInt8] {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { throw fail("\(what) needs an even number of hex digits") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.hexDigit(digits[index]), let low = Self.hexDigit(digits[index + 1]) else {
                throw fail("\(what) holds a character that is not a hex digit")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Decimal (optionally signed) or `0x` hexadecimal.
    static func integer<T: FixedWidthInteger>(_ text: String, _ type: T.Type) -> T? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return T(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("-0x") { return T("-" + text.dropFirst(3), radix: 16) }
        return T(text, radix: 10)
    }
}
