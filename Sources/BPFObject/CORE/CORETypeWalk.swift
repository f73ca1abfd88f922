/// Type lookups CO-RE needs: skipping modifiers with the id reached, flavour-free names.
extension BTF {
    /// The type after typedefs and qualifiers, with its id; nil for a bad id or a cycle.
    func skippingModifiers(_ id: UInt32) -> (id: UInt32, type: BTFType)? {
        var current = id
        for _ in 0 ..< Self.maxDepth {
            guard let t = type(current) else { return nil }
            switch t.kind {
            case .typedef, .volatile, .const, .restrict, .typeTag: current = t.sizeOrType
            default: return (current, t)
            }
        }
        return nil
    }

    /// A human name of type `id` for messages: `struct iphdr`, `enum foo`, `int`.
    func describe(_ id: UInt32) -> String {
        guard let t = type(id) else { return "type [\(id)]" }
        let name = t.name.isEmpty ? "(anon)" : t.name
        switch t.kind {
        case .structure: return "struct \(name)"
        case .union: return "union \(name)"
        case .enumeration, .enum64: return "enum \(name)"
        case .typedef: return "typedef \(name)"
        case .forward: return "fwd \(name)"
        case .int, .float: return name
        default: return "\(t.kind) [\(id)]"
        }
    }
}

enum CORENames {
    /// The name without a `___flavour` suffix: `sk_buff___v2` → `sk_buff`. The suffix starts at
    /// the last triple underscore that is preceded and followed by something other than '_'.
    static func essential(_ name: String) -> String {
        let bytes = Array(name.utf8)
        let underscore = UInt8(ascii: "_")
        var i = bytes.count - 5
        while i >= 0 {
            if bytes[i] != underscore, bytes[i + 1] == underscore, bytes[i + 2] == underscore,
               bytes[i + 3] == underscore, bytes[i + 4] != underscore {
                return String(decoding: bytes[0 ... i], as: UTF8.self)
            }
            i -= 1
        }
        return name
    }

    /// libbpf's name rule for type matching: an anonymous target matches only an anonymous
    /// local type, otherwise the names must agree once their flavours are cut.
    static func match(_ local: String, _ target: String) -> Bool {
        if target.isEmpty { return local.isEmpty }
        return essential(local) == essential(target)
    }
}
