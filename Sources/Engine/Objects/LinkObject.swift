import BPFCore
import TCX

/// A tcx or netkit link. Only user-side holders (open files, pins) count; the hook stores the
/// link without a reference, so the last close detaches it.
final class LinkObject: @unchecked Sendable {
    let id: UInt32
    let type: LinkType
    let attachType: AttachType
    /// The program the link runs; the link holds one reference on it. Guarded by the world's lock.
    var program: ProgramObject
    /// The device whose hook holds the link; 0 once detached or the device is gone (defunct).
    var ifindex: UInt32
    var references = 0

    init(id: UInt32, type: LinkType, attachType: AttachType, program: ProgramObject, ifindex: UInt32) {
        self.id = id
        self.type = type
        self.attachType = attachType
        self.program = program
        self.ifindex = ifindex
    }

    var isDefunct: Bool { ifindex == 0 }
    var label: String { "link \(id)" }
}
