import BPFCore
import TCX

/// `map-update`, `map-lookup` and `map-delete`: the element commands on a map of an object
/// the script loaded, with keys and values as the map's own bytes.
extension ScriptRunner {
    func executeMapCommand(_ command: ScriptCommand) throws(TCXError) -> String {
        switch command {
        case .mapUpdate(let file, let map, let key, let value, let flags):
            let (system, handle) = try objectMap(file, map)
            let info = try system.mapInfo(handle)
            guard value.count == Int(info.valueSize) else {
                throw TCXError(.EINVAL, "VALUE has \(value.count) bytes, map \(map) holds \(info.valueSize)")
            }
            let userValue = Self.isPerCPU(info.type) ? Self.perCPUValue(value, cpus: system.possibleCPUCount) : value
            try system.update(map: handle, key: key, value: userValue, flags: flags)
            return "ok"
        case .mapUpdateProgram(let file, let map, let key, let program, let flags):
            let (system, handle) = try objectMap(file, map)
            let fd = names.fd(program)
            let value = (0 ..< 4).map { UInt8(truncatingIfNeeded: fd >> (8 * $0)) }
            try system.update(map: handle, key: key, value: value, flags: flags)
            return "ok"
        case .mapLookup(let file, let map, let key):
            let (system, handle) = try objectMap(file, map)
            let info = try system.mapInfo(handle)
            let value = try system.lookup(map: handle, key: key)
            guard Self.isPerCPU(info.type) else { return "value=" + Self.hex(value) }
            let size = Int(info.valueSize)
            let stride = (size + 7) / 8 * 8
            guard stride > 0 else { return "values=[]" }
            let copies = Swift.stride(from: 0, to: value.count, by: stride).map {
                Self.hex(value[$0..<min($0 + size, value.count)])
            }
            return "values=[" + copies.joined(separator: ",") + "]"
        case .mapDelete(let file, let map, let key):
            let (system, handle) = try objectMap(file, map)
            try system.delete(map: handle, key: key)
            return "ok"
        default:
            throw TCXError(.EINVAL, "not a map command")
        }
    }

    /// The map called `name` (or a global-data section such as `.bss`) of the object `file`.
    private func objectMap(_ file: String, _ name: String) throws(TCXError) -> (any BPFObjectSystem, Handle) {
        let loaded = try object(file)
        guard let system = system as? any BPFObjectSystem else {
            throw TCXError(.EOPNOTSUPP, "the \(system.backendName) backend has no maps")
        }
        let index = loaded.spec.maps.firstIndex { $0.name == name }
            ?? loaded.spec.maps.firstIndex { name.hasPrefix(".") && $0.name.hasSuffix(name) }
        guard let index, index < loaded.maps.count else {
            let known = loaded.spec.maps.map(\.name).joined(separator: ", ")
            throw TCXError(.ENOENT, "\(file) has no map '\(name)' (it has: \(known))")
        }
        return (system, loaded.maps[index])
    }

    static func isPerCPU(_ type: MapType) -> Bool {
        type.isPerCPU
    }

    /// The same value for every possible CPU, each copy padded to 8 bytes.
    static func perCPUValue(_ value: [UInt8], cpus: Int) -> [UInt8] {
        let padding = [UInt8](repeating: 0, count: (8 - value.count % 8) % 8)
        return Array([[UInt8]](repeating: value + padding, count: max(cpus, 1)).joined())
    }

    static func hex<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
