import BPFCore
import TCX

extension WorldState {
    func device(named name: String) -> Device? {
        devices.named(name)
    }

    private func checkNewName(_ name: String) throws(TCXError) {
        // rtnetlink checks the attribute's length first: a name over IFNAMSIZ-1 bytes is ERANGE.
        if name.utf8.count > 15 {
            throw TCXError(.ERANGE, "device name '\(name)' is longer than 15 bytes")
        }
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains(where: \.isWhitespace) {
            throw TCXError(.EINVAL, "'\(name)' is not a valid device name")
        }
        if device(named: name) != nil {
            throw TCXError(.EEXIST, "a device named \(name) exists already")
        }
    }

    private func allocateIfindex() -> UInt32 {
        defer { nextIfindex += 1 }
        return nextIfindex
    }

    func createPair(name: String, peer: String, kinds: (DeviceKind, DeviceKind),
                    policies: (NetkitPolicy, NetkitPolicy) = (.pass, .pass),
                    mode: NetkitMode = .l3) throws(TCXError) -> (UInt32, UInt32) {
        try checkNewName(name)
        try checkNewName(peer)
        if name == peer { throw TCXError(.EEXIST, "a pair needs two names, \(name) is given twice") }
        // The peer is registered first, as veth and netkit do.
        let peerIndex = allocateIfindex()
        let index = allocateIfindex()
        devices.insert(Device(name: name, ifindex: index, kind: kinds.0, peerIfindex: peerIndex,
                              netkitPolicy: policies.0, netkitMode: mode))
        devices.insert(Device(name: peer, ifindex: peerIndex, kind: kinds.1, peerIfindex: index,
                              netkitPolicy: policies.1, netkitMode: mode))
        return (index, peerIndex)
    }

    /// Unregisters a device and its peer: every hook is emptied, links become defunct and keep
    /// their programs, prog-mode attachments let go of theirs.
    func deleteDevice(ifindex: UInt32) throws(TCXError) {
        // RTM_DELLINK finds the device by a positive ifindex (or a name, which the API never
        // sends): 0 — what a script's device whose creation failed stands for — is EINVAL.
        guard Int32(bitPattern: ifindex) > 0 else {
            throw TCXError(.EINVAL, "no device is named by ifindex \(Int32(bitPattern: ifindex))")
        }
        guard let device = devices[ifindex] else {
            throw TCXError(.ENODEV, "no device has ifindex \(ifindex)")
        }
        if device.kind == .loopback {
            throw TCXError(.EOPNOTSUPP, "lo cannot be deleted")
        }
        var doomed = [device]
        if let peer = device.peerIfindex.flatMap({ devices[$0] }) { doomed.append(peer) }
        for victim in doomed {
            devices.remove(victim.ifindex)
            forgetDevice(ifindex: victim.ifindex)
            for filter in victim.classicIngress.removeAll() + victim.classicEgress.removeAll() {
                release(filter.program)
            }
            for hook in [victim.tcxIngress, victim.tcxEgress, victim.netkitHook].compactMap({ $0 }) {
                for slot in hook.removeAll() {
                    if let link = slot.link {
                        link.ifindex = 0
                    } else {
                        release(slot.program)
                    }
                }
            }
        }
    }
}
