import BPFCore
import MultiProg
import TCX

typealias Hook = MultiProgHook<ProgramObject, LinkObject>

/// A network device of the embedded world with its hooks.
final class Device {
    let name: String
    let ifindex: UInt32
    let kind: DeviceKind
    var peerIfindex: UInt32?

    /// tcx entries are created on the first attach and freed when they empty again, which is
    /// why an emptied tcx hook's revision starts again at 1.
    var tcxIngress: Hook?
    var tcxEgress: Hook?

    /// netkit embeds its bundle in the device: it lives as long as the device.
    let netkitHook: Hook?
    /// The policy applied when this netkit device transmits with no program attached.
    var netkitPolicy: NetkitPolicy
    let netkitMode: NetkitMode

    init(name: String, ifindex: UInt32, kind: DeviceKind, peerIfindex: UInt32?,
         netkitPolicy: NetkitPolicy = .pass, netkitMode: NetkitMode = .l3) {
        self.name = name
        self.ifindex = ifindex
        self.kind = kind
        self.peerIfindex = peerIfindex
        self.netkitPolicy = netkitPolicy
        self.netkitMode = netkitMode
        let isNetkit = kind == .netkitPrimary || kind == .netkitPeer
        netkitHook = isNetkit ? Device.makeHook() : nil
    }

    var isNetkit: Bool { netkitHook != nil }

    static func makeHook() -> Hook {
        Hook(describe: { $0.label })
    }

    func tcxHook(_ type: AttachType) -> Hook? {
        type == .tcxIngress ? tcxIngress : tcxEgress
    }

    func setTCXHook(_ type: AttachType, _ hook: Hook?) {
        if type == .tcxIngress { tcxIngress = hook } else { tcxEgress = hook }
    }

    var info: DeviceInfo {
        DeviceInfo(name: name, ifindex: ifindex, kind: kind, peerIfindex: peerIfindex)
    }
}
