import Testing
@testable import TCRuntime

/// A datapath thread sends frame after frame on one skb (`SKBuff.reuse`): the reused skb must
/// be the one a new skb would be, whatever the frame before did to it.
@Suite struct SKBuffReuseTests {
    static let first: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0, 5, 0x08, 0x00] + [UInt8](repeating: 7, count: 46)
    static let second: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x08, 0x06] + [UInt8](repeating: 3, count: 28)

    /// Everything observable of an skb's layout and fields.
    static func state(_ skb: SKBuff) -> [Int] {
        [skb.length, skb.buffer.headroom, skb.buffer.tailroom, skb.buffer.macOffset, skb.buffer.networkOffset,
         skb.buffer.kernelHeadroom, skb.buffer.kernelEnd, skb.pendingClones.count]
    }

    @Test(arguments: [first, second])
    func aReusedSKBIsANewOne(next: [UInt8]) {
        let skb = SKBuff(packet: Self.first)
        // What a frame's programs and devices may leave behind: fields, an untagged VLAN,
        // pushed and retired buffers, a cookie.
        skb.arrive(at: 3, ingress: true, address: 0x0200_0000_0002, hasBroadcast: true)
        skb.metadata.mark = 42
        skb.metadata.cb[2] = 9
        skb.buffer.push(200)
        skb.buffer.put(30)
        _ = skb.socketCookie
        let cookie = skb.socketCookie

        skb.reuse(packet: next)
        let fresh = SKBuff(packet: next)
        #expect(skb.packet == next)
        #expect(skb.metadata == fresh.metadata)
        #expect(Self.state(skb) == Self.state(fresh))
        // The headroom is zero as in a new skb (a program pushing headers sees no old bytes).
        skb.buffer.push(SKBuff.defaultHeadroom)
        fresh.buffer.push(SKBuff.defaultHeadroom)
        #expect(skb.packet == fresh.packet)
        #expect(skb.socketCookie != cookie)
    }

    /// The fields are reset with or without the two that hold references (`SKBMetadata.reset`
    /// copies bytes only when neither is held), and a held socket or tunnel is dropped.
    @Test(arguments: [false, true])
    func resetFieldsAreNewOnes(holdingReferences: Bool) {
        var fields = SKBMetadata()
        fields.mark = 7
        fields.priority = 3
        fields.cb[4] = 11
        fields.tstamp = 99
        fields.checksumLevel = 2
        if holdingReferences {
            var tunnel = TunnelInfo()
            tunnel.source = [10, 0, 0, 1]
            fields.tunnel = tunnel
            fields.socket = SKBSocket(family: 2, source: [10, 0, 0, 2], destination: [10, 0, 0, 3])
        }
        #expect(fields != SKBMetadata())
        fields.reset()
        #expect(fields == SKBMetadata())
        #expect(fields.tunnel == nil && fields.socket == nil)
    }
}
