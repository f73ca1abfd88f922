/// The world's devices by ifindex and by name, and what changed since the datapath and the
/// network state last saw them, so that publishing a change costs the change, not the table:
/// a world with many devices grows linearly, as the kernel's does.
struct DeviceTable {
    private(set) var byIndex: [UInt32: Device] = [:]
    private var byName: [String: UInt32] = [:]
    /// Ifindexes added or removed since `takeChanges()` (an index may be in both).
    private var added: [UInt32] = []
    private var removed: [UInt32] = []

    subscript(ifindex: UInt32) -> Device? { byIndex[ifindex] }
    var values: Dictionary<UInt32, Device>.Values { byIndex.values }
    var count: Int { byIndex.count }

    func named(_ name: String) -> Device? { byName[name].flatMap { byIndex[$0] } }

    /// Adds `device`, replacing one with the same ifindex.
    mutating func insert(_ device: Device) {
        if let old = byIndex[device.ifindex] { remove(old.ifindex) }
        byIndex[device.ifindex] = device
        byName[device.name] = device.ifindex
        added.append(device.ifindex)
    }

    @discardableResult
    mutating func remove(_ ifindex: UInt32) -> Device? {
        guard let device = byIndex.removeValue(forKey: ifindex) else { return nil }
        if byName[device.name] == ifindex { byName[device.name] = nil }
        removed.append(ifindex)
        return device
    }

    /// The devices added (as they are now) and the ifindexes removed since the last call.
    mutating func takeChanges() -> (added: [Device], removed: [UInt32]) {
        defer { added = []; removed = [] }
        let gone = removed.filter { byIndex[$0] == nil }
        return (Set(added).compactMap { byIndex[$0] }, gone)
    }
}
