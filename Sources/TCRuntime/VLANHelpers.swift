import BPFCore
import BPFVM

/// bpf_skb_vlan_push, bpf_skb_vlan_pop: the outer tag lives in the skb (the "accelerated"
/// tag, `vlan_present`); pushing a second tag moves the first into the packet, popping takes
/// the next in-packet tag out into the skb.
enum VLANHelpers {
    static let q: UInt16 = 0x8100, ad: UInt16 = 0x88a8
    static let tagLength = 4

    static func register(_ table: inout HelperTable) {
        table.register(18, name: "skb_vlan_push", push)
        table.register(19, name: "skb_vlan_pop", pop)
    }

    static func isVLAN(_ type: UInt16) -> Bool { type == q || type == ad }

    static func push(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            // The protocol argument is in network byte order; anything but 802.1Q/802.1ad means 802.1Q.
            var proto = UInt16(bigEndian: UInt16(truncatingIfNeeded: call.r2))
            if !isVLAN(proto) { proto = q }
            let tci = UInt16(truncatingIfNeeded: call.r3)
            defer { call.packet = call.packetChanged(run) }
            if skb.metadata.vlanPresent {
                guard skb.buffer.macOffset == 0 else { return failed(.EINVAL) }
                guard skb.length >= 12 else { return failed(.ENOMEM) }
                // skb_cow_head: the kernel's head buffer may be too large to grow again.
                guard skb.buffer.kernelCanPush(tagLength) else { return failed(.ENOMEM) }
                insertTag(skb, proto: skb.metadata.vlanProto, tci: skb.metadata.vlanTCI)
                // skb_vlan_push moves the network header back with the MAC header: it stays at
                // the same offset, on the tag just inserted (Linux 6.18; a relative load from
                // the network header after a second push reads the tag's TCI).
                skb.buffer.networkHeader -= tagLength
                skb.metadata.protocol = skb.metadata.vlanProto
            }
            skb.metadata.vlanPresent = true
            skb.metadata.vlanProto = proto
            skb.metadata.vlanTCI = tci
            return 0
        }
    }

    /// Puts a tag between the MAC addresses and the EtherType.
    static func insertTag(_ skb: SKBuff, proto: UInt16, tci: UInt16) {
        let buffer = skb.buffer
        buffer.push(tagLength)
        buffer.move(from: tagLength, to: 0, count: 12)
        let d = buffer.data
        d.storeBytes(of: proto.bigEndian, toByteOffset: 12, as: UInt16.self)
        d.storeBytes(of: tci.bigEndian, toByteOffset: 14, as: UInt16.self)
        buffer.macHeader = buffer.head
    }

    static func pop(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            defer { call.packet = call.packetChanged(run) }
            if skb.metadata.vlanPresent {
                // __vlan_hwaccel_clear_tag: vlan_all = 0, so vlan_proto reads 0 afterwards too.
                skb.metadata.vlanPresent = false
                skb.metadata.vlanTCI = 0
                skb.metadata.vlanProto = 0
            } else {
                guard isVLAN(skb.metadata.protocol) else { return 0 }
                if let error = removeTag(skb) { return failed(error) }
            }
            // The next in-packet tag becomes the skb's tag.
            guard isVLAN(skb.metadata.protocol) else { return 0 }
            let proto = skb.metadata.protocol
            let tci = skb.length >= 16 ? UInt16(bigEndian: skb.buffer.data.loadUnaligned(fromByteOffset: 14, as: UInt16.self)) : 0
            if let error = removeTag(skb) { return failed(error) }
            skb.metadata.vlanPresent = true
            skb.metadata.vlanProto = proto
            skb.metadata.vlanTCI = tci
            return 0
        }
    }

    /// __skb_vlan_pop: drops the in-packet tag and takes the protocol from the EtherType after it.
    static func removeTag(_ skb: SKBuff) -> LinuxErrno? {
        let buffer = skb.buffer
        guard buffer.macOffset == 0 else { return .EINVAL }
        guard skb.length >= 18 else { return .ENOMEM }
        buffer.move(from: 0, to: tagLength, count: 12)
        buffer.pull(tagLength)
        buffer.macHeader = buffer.head
        let d = buffer.data
        let inner = UInt16(bigEndian: d.loadUnaligned(fromByteOffset: 12, as: UInt16.self))
        if inner >= 0x0600 {
            skb.metadata.protocol = inner
        } else if skb.length >= 16, d[14] == 0xff, d[15] == 0xff {
            skb.metadata.protocol = 0x0001
        } else {
            skb.metadata.protocol = 0x0004
        }
        if buffer.networkOffset < 14 { buffer.networkHeader = buffer.head + 14 }
        return nil
    }
}
