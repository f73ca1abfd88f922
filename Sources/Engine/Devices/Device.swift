import Atomics
import BPFCore
import MultiProg
import TCX

typealias Hook = MultiProgHook<ProgramObject, LinkObject>

/// A network device of the embedded world with its hooks.
///
/// Datapath workers read it without the control lock: everything they read is either set
/// before the device is published (`let`s) or is published itself (hooks, classic filters);
/// counters are per thread (`CounterShards`).
final class Device: @unchecked Sendable {
    let name: String
    let ifindex: UInt32
    let kind: DeviceKind
    let peerIfindex: UInt32?
    let counters = DeviceCounters()
    /// The hardware address frames arriving here are classified against (`eth_type_trans`):
    /// six bytes in the low 48 bits, set from the network state when the device is published
    /// and whenever its address changes; read by datapath workers without a lock.
    var hardwareAddress: AtomicSlot { AtomicSlot(addressSlot, 0) }
    private let addressSlot = AtomicSlot.allocateBlock(1)
    /// Loopback has no broadcast address; every other device here is Ethernet.
    var hasBroadcast: Bool { kind != .loopback }
    let classicIngress = ClassicFilterList()
    let classicEgress = ClassicFilterList()
    /// Whether the device has a clsact qdisc: made by the first filter add, kept afterwards
    /// (the kernel removes a qdisc only when asked). Changed under the world lock.
    let hasClsact = ManagedAtomic(false)

    /// The kernel creates a tcx entry on the first attach and frees it when it empties, so an
    /// emptied hook's revision starts again at 1. Here the hooks live as long as the device and
    /// restart their revision instead: the same to every observer, and datapath readers may
    /// keep hold of the published arrays.
    let tcxIngress = Device.makeHook()
    let tcxEgress = Device.makeHook()
    /// Their published chains, as every frame reads them: through the hook's property (another
    /// module's generic class) each frame paid a retain and a release. The hooks live as long as
    /// the device, so borrowing is safe.
    unowned(unsafe) let ingressChain: PublishedArray<ProgramObject>
    unowned(unsafe) let egressChain: PublishedArray<ProgramObject>

    /// netkit embeds its bundle in the device: it lives as long as the device.
    let netkitHook: Hook?
    /// The policy applied when this netkit device transmits with no program attached.
    let netkitPolicy: NetkitPolicy
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
        ingressChain = tcxIngress.published
        egressChain = tcxEgress.published
    }

    deinit { addressSlot.deallocate() }

    var isNetkit: Bool { netkitHook != nil }

    func classic(_ type: AttachType) -> ClassicFilterList {
        type == .tcxIngress ? classicIngress : classicEgress
    }

    static func makeHook() -> Hook {
        Hook(describe: { $0.label })
    }

    func tcxHook(_ type: AttachType) -> Hook {
        type == .tcxIngress ? tcxIngress : tcxEgress
    }

    var info: DeviceInfo {
        DeviceInfo(name: name, ifindex: ifindex, kind: kind, peerIfindex: peerIfindex)
    }
}
