import LinuxKernel
import SwiftTCX

/// One map the map commands work on: in a world built for the command, or pinned on the host.
protocol MapAccess {
    var info: MapInfo { get }
    func lookup(key: [UInt8]) throws(TCXError) -> [UInt8]
    func nextKey(after key: [UInt8]?) throws(TCXError) -> [UInt8]?
    func update(key: [UInt8], value: [UInt8], flags: UInt64) throws(TCXError)
    func delete(key: [UInt8]) throws(TCXError)
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
    func delete(key: [UInt8]) throws(TCXError) { try system.delete(map: handle, key: key) }
}

extension HostPinnedMap: MapAccess {}
