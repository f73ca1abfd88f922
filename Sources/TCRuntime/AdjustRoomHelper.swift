import BPFCore
import BPFVM

/// bpf_skb_adjust_room: grows or shrinks the packet after the MAC header (BPF_ADJ_ROOM_MAC) or
/// after the base IPv4/IPv6 header (BPF_ADJ_ROOM_NET), optionally marking an encapsulation.
enum AdjustRoomHelper {
    static let fixedGSO: UInt64 = 1 << 0
    static let encapIPv4: UInt64 = 1 << 1
    static let encapIPv6: UInt64 = 1 << 2
    static let encapGRE: UInt64 = 1 << 3
    static let encapUDP: UInt64 = 1 << 4
    static let noChecksumReset: UInt64 = 1 << 5
    static let encapEthernet: UInt64 = 1 << 6
    static let decapIPv4: UInt64 = 1 << 7
    static let decapIPv6: UInt64 = 1 << 8
    static let l2LengthShift: UInt64 = 56
    static let known: UInt64 = fixedGSO | encapIPv4 | encapIPv6 | encapGRE | encapUDP | noChecksumReset
        | encapEthernet | decapIPv4 | decapIPv6 | (0xff << l2LengthShift)
    static let modeNet: UInt64 = 0, modeMAC: UInt64 = 1
    /// ETH_HLEN.
    static let ethernetHeaderLength = 14
    /// EALREADY: a second encapsulation.
    static let alreadyEncapsulated = LinuxErrno(rawValue: 114)

    static func register(_ table: inout HelperTable) {
        table.register(50, name: "skb_adjust_room", adjust)
    }

    /// The base header length of the skb's network protocol.
    static func baseLength(_ proto: UInt16) -> Int {
        proto == 0x0800 ? 20 : proto == 0x86dd ? 40 : 0
    }

    static func adjust(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            defer { call.packet = call.packetChanged(run) }
            let error = adjust(skb, diff: Int32(truncatingIfNeeded: call.r2),
                               mode: UInt64(UInt32(truncatingIfNeeded: call.r3)), flags: call.r4)
            // A changed packet no longer has a checksum the device vouched for, unless asked to keep it.
            if error == nil && call.r4 & noChecksumReset == 0 {
                skb.metadata.checksumUnnecessary = false
                skb.metadata.checksumLevel = 0
            }
            return UInt64(bitPattern: Int64(-(error?.rawValue ?? 0)))
        }
    }

    static func adjust(_ skb: SKBuff, diff: Int32, mode: UInt64, flags: UInt64) -> LinuxErrno? {
        let shrink = diff < 0
        let amount = Int(diff.magnitude)
        let proto = skb.metadata.protocol
        guard flags & ~known == 0 else { return .EINVAL }
        guard amount <= 0xfff else { return .EFAULT }
        guard proto == 0x0800 || proto == 0x86dd else { return .ENOTSUPP }
        let buffer = skb.buffer
        var offset = buffer.networkHeader - buffer.macHeader
        switch mode {
        case modeNet: offset += baseLength(proto)
        case modeMAC: break
        default: return .ENOTSUPP
        }
        var minimum = baseLength(proto)
        let decap = flags & (decapIPv4 | decapIPv6)
        if decap != 0 {
            guard shrink else { return .EINVAL }
            switch decap {
            case decapIPv4: minimum = 20
            case decapIPv6: minimum = 40
            default: return .EINVAL
            }
        }
        let current = skb.length - buffer.networkOffset
        if shrink {
            guard amount < current, current - amount >= minimum else { return .ENOTSUPP }
            return shrinkRoom(skb, offset: offset, amount: amount, flags: flags)
        }
        guard skb.length + amount <= SKBuff.maxLength else { return .ENOTSUPP }
        return growRoom(skb, offset: offset, amount: amount, flags: flags)
    }

    static func growRoom(_ skb: SKBuff, offset: Int, amount: Int, flags: UInt64) -> LinuxErrno? {
        let buffer = skb.buffer
        let encap = flags & (encapIPv4 | encapIPv6) != 0
        let innerMACLength = Int(flags >> l2LengthShift)
        var macLength = 0
        if encap {
            if flags & encapIPv4 != 0 && flags & encapIPv6 != 0 { return .EINVAL }
            if flags & encapGRE != 0 && flags & encapUDP != 0 { return .EINVAL }
            // An inner Ethernet header is at least ETH_HLEN long; longer ones (VLAN tags) are fine.
            if flags & encapEthernet != 0 && innerMACLength < ethernetHeaderLength { return .EINVAL }
            if skb.metadata.encapsulation { return Self.alreadyEncapsulated }
            macLength = buffer.networkHeader - buffer.macHeader
            if innerMACLength > amount { return .EINVAL }
        }
        // The bytes to move must be in the packet: a packet cut short of its headers cannot
        // grow after them (Linux 6.18 answers ENOMEM and leaves it as it was).
        guard offset <= skb.length else { return .ENOMEM }
        // Open `amount` zero bytes at `offset`: the bytes before it move to the front, and so
        // does a transport header among them (one at `offset` stays, as Linux 6.18's does).
        let front = buffer.head + offset
        if let transport = buffer.transportHeader, transport < front { buffer.transportHeader = transport - amount }
        buffer.push(amount)
        buffer.move(from: amount, to: 0, count: offset)
        buffer.zero(at: offset, count: amount)
        buffer.macHeader -= amount
        buffer.networkHeader -= amount
        if encap {
            skb.metadata.encapsulation = true
            buffer.networkHeader = buffer.head + macLength
            if flags & (encapGRE | encapUDP) != 0 {
                // An L4 encapsulation sets the transport header after the new outer L3 header.
                buffer.transportHeader = buffer.head + macLength + (flags & encapIPv6 != 0 ? 40 : 20)
            }
            if skb.metadata.protocol == 0x0800 && flags & encapIPv6 != 0 {
                skb.metadata.protocol = 0x86dd
            } else if skb.metadata.protocol == 0x86dd && flags & encapIPv4 != 0 {
                skb.metadata.protocol = 0x0800
            }
        }
        return nil
    }

    static func shrinkRoom(_ skb: SKBuff, offset: Int, amount: Int, flags: UInt64) -> LinuxErrno? {
        let buffer = skb.buffer
        guard flags & ~(fixedGSO | decapIPv4 | decapIPv6 | noChecksumReset) == 0 else { return .EINVAL }
        guard offset + amount <= skb.length else { return .ENOMEM }
        // Close `amount` bytes at `offset`: the bytes before them move back, and so does a
        // transport header up to `offset` (Linux 6.18 keeps one there at its offset).
        if let transport = buffer.transportHeader, transport <= buffer.head + offset {
            buffer.transportHeader = transport + amount
        }
        buffer.move(from: 0, to: amount, count: offset)
        buffer.pull(amount)
        buffer.macHeader += amount
        buffer.networkHeader += amount
        if skb.metadata.protocol == 0x0800 && flags & decapIPv6 != 0 {
            skb.metadata.protocol = 0x86dd
        } else if skb.metadata.protocol == 0x86dd && flags & decapIPv4 != 0 {
            skb.metadata.protocol = 0x0800
        }
        return nil
    }
}
