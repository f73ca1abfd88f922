/// rtnetlink structures and attributes for link settings, addresses, routes and neighbours,
/// and the test-run context fields, beyond `NetlinkABI` and `HostNetlinkABI`.
enum NetworkStateABI {
    static let iflaAddress: UInt16 = 1           // IFLA_ADDRESS
    static let iflaMTU: UInt16 = 4               // IFLA_MTU

    static let ifaFlagsAttribute: UInt16 = 8     // IFA_FLAGS (u32)
    static let ifaNoDAD: UInt32 = 0x02           // IFA_F_NODAD
    static let ifaFlagsByte = KernelField(2, 1)  // ifaddrmsg.ifa_flags

    static let newRoute: UInt16 = 24             // RTM_NEWROUTE
    // struct rtmsg (12 bytes).
    static let rtmsgSize = 12
    static let rtmFamily = KernelField(0, 1)
    static let rtmDestinationLength = KernelField(1, 1)
    static let rtmTable = KernelField(4, 1)
    static let rtmProtocol = KernelField(5, 1)
    static let rtmScope = KernelField(6, 1)
    static let rtmType = KernelField(7, 1)
    static let tableMain: UInt64 = 254           // RT_TABLE_MAIN
    static let protocolBoot: UInt64 = 3          // RTPROT_BOOT, what `ip route add` uses
    static let scopeUniverse: UInt64 = 0
    static let scopeLink: UInt64 = 253
    static let typeUnicast: UInt64 = 1           // RTN_UNICAST
    static let typeLocal: UInt8 = 2              // RTN_LOCAL
    static let typeAnycast: UInt8 = 4            // RTN_ANYCAST
    static let getRoute: UInt16 = 26             // RTM_GETROUTE
    static let rtaDestination: UInt16 = 1        // RTA_DST
    static let rtaOutputInterface: UInt16 = 4    // RTA_OIF
    static let rtaGateway: UInt16 = 5            // RTA_GATEWAY

    static let newNeighbour: UInt16 = 28         // RTM_NEWNEIGH
    // struct ndmsg (12 bytes).
    static let ndmsgSize = 12
    static let ndmFamily = KernelField(0, 1)
    static let ndmIfindex = KernelField(4, 4)
    static let ndmState = KernelField(8, 2)
    static let nudPermanent: UInt64 = 0x80       // NUD_PERMANENT
    static let ndaDestination: UInt16 = 1        // NDA_DST
    static let ndaLinkAddress: UInt16 = 2        // NDA_LLADDR

    // BPF_PROG_TEST_RUN's context and sizeof(struct __sk_buff), `ifindex` at 40.
    static let testRunContextSizeIn = KernelField(40, 4)
    static let testRunContextIn = KernelField(48, 8)
    static let skBuffContextSize = 192
    static let skBuffIfindex = KernelField(40, 4)
}
