import BPFCore
import BPFVM

/// `bpf_ct_set_nat_info` on an entry not yet inserted: NAT to one address (and port, when
/// above 0) for the source or the destination, as nf_nat_setup_info gives a one-address range:
/// the reply tuple is what the other side sends back to the translated address.
enum ConntrackNAT {
    /// NF_NAT_MANIP_SRC; any other value is the destination, as nf_nat_initialized reads it.
    static let sourceManip: UInt32 = 0

    static func setInfo(_ call: inout HelperCall) -> UInt64 {
        guard let entry = ConntrackKfuncs.held(call, call.r1),
              let address = call.bytes(at: call.r2, count: 16, write: false) else { return 0 }
        let source = UInt32(truncatingIfNeeded: call.r4) == sourceManip
        let done = source ? ConntrackStatus.sourceNATDone : ConntrackStatus.destinationNATDone
        // The kernel warns and drops a second translation of the same side.
        if entry.status & done != 0 { return failed(.ENOMEM) }
        let port = Int32(truncatingIfNeeded: call.r3)
        var reply = entry.reply
        let bytes = ConntrackAddress(UnsafeRawBufferPointer(address), at: 0, size: reply.addressSize)
        if source {
            reply.destination = bytes
            if port > 0 { reply.destinationPort = UInt16(truncatingIfNeeded: port).bigEndian }
        } else {
            reply.source = bytes
            if port > 0 { reply.sourcePort = UInt16(truncatingIfNeeded: port).bigEndian }
        }
        if reply != entry.reply {
            entry.replace(reply: reply)
            entry.status |= source ? ConntrackStatus.sourceNAT : ConntrackStatus.destinationNAT
        }
        entry.status |= done
        return 0
    }
}
