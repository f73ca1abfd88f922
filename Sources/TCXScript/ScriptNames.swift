import TCX

/// What the script's names stand for while it runs.
struct ScriptNames {
    /// A program or link name: its current fd (nil once closed or never created) and the id
    /// its object had (nil if it was never created).
    struct HandleBinding {
        var fd: UInt32?
        var id: UInt32?
        var kind: ObjectKind
    }

    var handles: [String: HandleBinding] = [:]
    /// Device name → ifindex; a device never created is 0, a deleted one keeps its ifindex.
    var devices: [String: UInt32] = ["lo": 1]
    /// Id → the first name the script gave that object, for results.
    var programNames: [UInt32: String] = [:]
    var linkNames: [UInt32: String] = [:]

    static let noObject = UInt32.max

    /// The fd or id a name stands for under `byID`.
    func value(of ref: HandleRef, byID: Bool) -> UInt32 {
        switch ref {
        case .number(let value): return value
        case .name(let name):
            let binding = handles[name]
            return (byID ? binding?.id : binding?.fd) ?? Self.noObject
        }
    }

    func fd(_ ref: HandleRef) -> UInt32 { value(of: ref, byID: false) }

    func ifindex(_ device: String) -> UInt32 { devices[device] ?? 0 }

    func deviceName(_ ifindex: UInt32) -> String? {
        devices.first { $0.value == ifindex }?.key
    }

    func programName(_ id: UInt32) -> String { programNames[id] ?? "?\(id)" }
    func linkName(_ id: UInt32) -> String { linkNames[id] ?? "?\(id)" }

    mutating func remember(program id: UInt32, as name: String) {
        if programNames[id] == nil { programNames[id] = name }
    }

    mutating func remember(link id: UInt32, as name: String) {
        if linkNames[id] == nil { linkNames[id] = name }
    }
}
