import BPFCore

/// Devices by name or ifindex, as people name them on a real machine.
extension TCXSystem {
    /// The device called `reference`, or the one with that ifindex when it is a number.
    /// ENODEV, naming what was asked for, when the world has none.
    public func device(_ reference: String) throws(TCXError) -> DeviceInfo {
        let all = try devices()
        if let byName = all.first(where: { $0.name == reference }) { return byName }
        if let index = UInt32(reference), let byIndex = all.first(where: { $0.ifindex == index }) { return byIndex }
        throw TCXError(.ENODEV, "no device named '\(reference)'\(UInt32(reference) == nil ? "" : " or with that ifindex") in this world")
    }

    /// A hook of a device named by name or ifindex.
    public func hook(_ device: String, _ attachType: AttachType) throws(TCXError) -> HookTarget {
        HookTarget(ifindex: try self.device(device).ifindex, attachType: attachType)
    }
}
