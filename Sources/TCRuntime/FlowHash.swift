/// A flow hash over what the kernel's flow dissector keys on: the network protocol, the IPv4 or
/// IPv6 addresses, the transport protocol and ports. Never 0 (the kernel reserves 0 for "none").
enum FlowHash {
    static func compute(_ skb: SKBuff, seed: UInt32) -> (hash: UInt32, hasPorts: Bool) {
        let d = skb.buffer.data
        var h = seed ^ UInt32(skb.metadata.protocol)
        func mix(_ bytes: Slice<UnsafeMutableRawBufferPointer>) {
            for b in bytes { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        }
        let l3 = skb.buffer.networkOffset
        var l4: Int? = nil
        var transport: UInt8 = 0
        switch skb.metadata.protocol {
        case 0x0800 where d.count >= l3 + 20:
            transport = d[l3 + 9]
            mix(d[(l3 + 12)..<(l3 + 20)])
            l4 = l3 + Int(d[l3] & 0x0f) * 4
        case 0x86dd where d.count >= l3 + 40:
            transport = d[l3 + 6]
            mix(d[(l3 + 8)..<(l3 + 40)])
            l4 = l3 + 40
        default:
            break
        }
        h = (h ^ UInt32(transport)) &* 0x0100_0193
        var hasPorts = false
        if let l4, transport == 6 || transport == 17 || transport == 132, d.count >= l4 + 4 {
            mix(d[l4..<(l4 + 4)])
            hasPorts = true
        }
        h ^= h >> 16
        return (h == 0 ? 1 : h, hasPorts)
    }
}
