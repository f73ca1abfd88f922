import BPFCore
import BPFVM

/// bpf_skb_change_proto: switches an IPv4 skb to IPv6 or back (NAT64), making or removing the
/// 20 bytes by which the two base headers differ, right after the MAC header. The program
/// writes the new header itself; the helper only sets the room, the protocol, and drops the hash.
enum ChangeProtoHelper {
    static let headerDifference = 40 - 20

    static func register(_ table: inout HelperTable) {
        table.register(31, name: "skb_change_proto", changeProto)
    }

    static func changeProto(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        defer { call.packet = call.packetChanged(run) }
        guard call.r3 == 0 else { return failed(.EINVAL) }
        let target = UInt16(truncatingIfNeeded: call.r2).byteSwapped
        guard let error = change(run.skb, to: target) else { return 0 }
        return failed(error)
    }

    static func change(_ skb: SKBuff, to target: UInt16) -> LinuxErrno? {
        let buffer = skb.buffer
        let offset = buffer.networkHeader - buffer.macHeader
        switch (skb.metadata.protocol, target) {
        case (0x0800, 0x86dd):
            guard skb.length + headerDifference <= SKBuff.maxLength else { return .ENOMEM }
            buffer.push(headerDifference)
            buffer.move(from: headerDifference, to: 0, count: offset)
            buffer.zero(at: offset, count: headerDifference)
            buffer.macHeader -= headerDifference
            buffer.networkHeader -= headerDifference
            skb.metadata.protocol = 0x86dd
        case (0x86dd, 0x0800):
            guard offset + headerDifference <= skb.length else { return .ENOMEM }
            buffer.move(from: 0, to: headerDifference, count: offset)
            buffer.pull(headerDifference)
            buffer.macHeader += headerDifference
            buffer.networkHeader += headerDifference
            skb.metadata.protocol = 0x0800
        default:
            return .ENOTSUPP
        }
        skb.clearHash()
        return nil
    }
}
