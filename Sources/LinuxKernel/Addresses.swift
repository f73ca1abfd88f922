import BPFCore
import TCX

/// IPv4 addresses on the world's devices (RTM_NEWADDR), so real traffic can flow in tests.
extension KernelSystem {
    /// Adds `cidr` (`10.0.0.1/24`) to the device; EEXIST when it has that address already.
    public func addAddress(ifindex: UInt32, cidr: String) throws(TCXError) {
        let (address, prefix) = try Self.parseIPv4(cidr)
        try world.run { state throws(TCXError) in
            var message = NetlinkMessage(type: HostNetlinkABI.newAddress, flags: NetlinkABI.flagRequest
                                         | NetlinkABI.flagAck | NetlinkABI.flagCreate | NetlinkABI.flagExclusive)
            var header = KernelStruct(size: HostNetlinkABI.ifaddrSize)
            header.set(HostNetlinkABI.ifaFamily, UInt64(HostNetlinkABI.afInet))
            header.set(HostNetlinkABI.ifaPrefixLength, UInt64(prefix))
            header.set(HostNetlinkABI.ifaIndex, ifindex)
            message.appendFamilyHeader(header)
            // A broadcast device wants both: IFA_LOCAL is the address, IFA_ADDRESS its prefix's.
            message.appendAttribute(HostNetlinkABI.ifaLocal, address)
            message.appendAttribute(HostNetlinkABI.ifaAddress, address)
            try state.netlink.perform(message, "RTM_NEWADDR \(cidr) on ifindex \(ifindex)")
        }
    }

    /// `a.b.c.d/len` as four bytes in network order and the prefix length.
    static func parseIPv4(_ cidr: String) throws(TCXError) -> ([UInt8], UInt8) {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        let octets = parts.first.map { $0.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) } } ?? []
        guard parts.count == 2, octets.count == 4, let prefix = UInt8(parts[1]), prefix <= 32 else {
            throw TCXError(.EINVAL, "'\(cidr)' is not an IPv4 address with a prefix length (a.b.c.d/len)")
        }
        let bytes = octets.compactMap { $0 }
        guard bytes.count == 4 else {
            throw TCXError(.EINVAL, "'\(cidr)' is not an IPv4 address with a prefix length (a.b.c.d/len)")
        }
        return (bytes, prefix)
    }
}
