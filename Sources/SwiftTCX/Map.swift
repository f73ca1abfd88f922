import TCX

/// A BPF map that owns its descriptor. Keys and values are the raw bytes the kernel takes
/// (per-CPU maps: one value per possible CPU, each rounded up to 8 bytes).
public struct Map: ~Copyable, Sendable {
    public let world: any BPFObjectSystem
    /// The raw handle, for the raw requests. Valid while this value lives.
    public private(set) var handle: Handle

    /// Takes ownership of a raw map handle of `world`.
    public init(adopting handle: Handle, in world: any BPFObjectSystem) {
        self.world = world
        self.handle = handle
    }

    /// BPF_MAP_CREATE.
    public init(creating spec: MapSpec, in world: any BPFObjectSystem) throws(TCXError) {
        self.init(adopting: try world.createMap(spec), in: world)
    }

    /// Opens the map pinned at `path`.
    public init(pinned path: PinPath, in world: any BPFObjectSystem) throws(TCXError) {
        self.init(adopting: try OwnedHandle.openPinned(path, as: .map, in: world), in: world)
    }

    deinit { OwnedHandle.release(handle, in: world) }

    public consuming func relinquish() -> Handle {
        let raw = handle
        handle = .invalid
        return raw
    }

    public consuming func close() throws(TCXError) {
        try world.close(relinquish())
    }

    public func duplicate() throws(TCXError) -> Map {
        Map(adopting: try world.duplicate(handle), in: world)
    }

    public var info: MapInfo { get throws(TCXError) { try world.mapInfo(handle) } }

    public func pin(at path: PinPath) throws(TCXError) {
        try world.pin(handle, at: path)
    }

    /// The value under `key`; nil when there is none (the kernel's ENOENT).
    public func lookup(_ key: [UInt8]) throws(TCXError) -> [UInt8]? {
        do {
            return try world.lookup(map: handle, key: key)
        } catch where error.errno == .ENOENT {
            return nil
        }
    }

    /// BPF_MAP_UPDATE_ELEM; `flags` is `MapUpdateFlags.any`, `.noExist` or `.exist`.
    public func update(_ key: [UInt8], to value: [UInt8], flags: UInt64 = MapUpdateFlags.any) throws(TCXError) {
        try world.update(map: handle, key: key, value: value, flags: flags)
    }

    public func delete(_ key: [UInt8]) throws(TCXError) {
        try world.delete(map: handle, key: key)
    }

    /// Every key, in the map's own order. Bounded by the map's size, so a map that changes
    /// under the walk cannot keep it going forever.
    public func keys() throws(TCXError) -> [[UInt8]] {
        let limit = Int(try info.maxEntries)
        var found: [[UInt8]] = []
        var previous: [UInt8]?
        while found.count < limit, let next = try world.nextKey(map: handle, after: previous) {
            found.append(next)
            previous = next
        }
        return found
    }
}
