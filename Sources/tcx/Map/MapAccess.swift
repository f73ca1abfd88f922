import LinuxKernel
import SwiftTCX

/// One map the map commands work on: in a world built for the command, or pinned on the host.
protocol MapAccess {
    var info: MapInfo { get }
    func lookup(key: [UInt8]) throws(TCXError) -> [UInt8]
    func nextKey(after key: [UInt8]?) throws(TCXError) -> [UInt8]?
    func update(key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError)
}

/// A map of a world, through the `BPFObjectSystem` API.
struct WorldMap: MapAccess {
    let system: any BPFObjectSystem
    let handle: Handle
    let info: MapInfo

    init(system: any BPFObjectSystem, handle: Handle) throws(TCXError) {
        self.system = system
        self.handle = handle
        info = try system.mapInfo(handle)
    }

    func lookup(key: [UInt8]) throws(TCXError) -> [UInt8] { try system.lookup(map: handle, key: key) }
    func nextKey(after key: [UInt8]?) throws(TCXError) -> [UInt8]? { try system.nextKey(map: handle, after: key) }
    func update(key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError) {
        try system.update(map: handle, key: key, value: value, flags: flags)
    }
}

extension HostPinnedMap: MapAccess {
    /// The host's maps are only read: its fd is read-only, so the kernel would say EPERM too.
    func update(key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError) {
        throw TCXError(.EPERM, "'\(path)' is opened read-only: the host's pinned maps are not written")
    }
}
