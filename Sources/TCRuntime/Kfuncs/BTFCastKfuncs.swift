import BPFCore
import BPFObject
import BPFVM

/// `bpf_cast_to_kern_ctx` and `bpf_rdonly_cast` at run time. The kernel turns both into
/// `r0 = r1`: a tc context is the `struct sk_buff` itself. Here the context is the
/// `__sk_buff` block, so the cast points at a read-only image of the kernel's struct
/// (`KernelSKBImage`), granted to the run; `bpf_rdonly_cast` hands its argument back, except
/// that a pointer into the context is one into the image at the same offset, as the kernel's
/// context pointer is one into the skb. Loads through either are probe loads
/// (docs/tc-runtime.md, "BTF pointers").
enum BTFCastKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.castToKernelContext, castToKernelContext)
        table.register(.rdonlyCast, rdonlyCast)
    }

    static func rdonlyCast(_ call: inout HelperCall) -> UInt64 {
        let offset = call.r1 &- call.memory.contextLow
        guard offset < UInt64(SKBField.size) else { return call.r1 }
        return castToKernelContext(&call) &+ offset
    }

    /// The BTF the verifier types the casts' pointers by: the process's CO-RE target.
    static let kernelTypes: @Sendable () -> (any KernelTypeCatalog)? = { KernelTypeTarget.load() }

    static func castToKernelContext(_ call: inout HelperCall) -> UInt64 {
        // The image kept fresh: a cast changes nothing of the skb, and the image is filled
        // again only when something did since the last fill (a helper, a context store).
        let address = TCRun.borrowKeepingImage(call) { run -> UInt64 in
            // The layout read only to make the image: a copy of it per cast retained its array.
            if run.imageReference == nil {
                guard let layout = KernelStructLayout.skb else { return 0 }
                run.kernelSKBImage = KernelSKBImage(skb: layout, device: KernelStructLayout.device, socket: KernelStructLayout.socket)
            }
            // Borrowed: the run holds the image (a local strong reference retained it per cast).
            guard let reference = run.imageReference else { return 0 }
            run.absorbWrites()  // marks the image stale if the program's stores changed the skb
            return reference._withUnsafeGuaranteedRef { image in
                run.withSKB { skb in
                    if image.stale { image.fill(from: skb) }
                    // The device as the world knows it, once per skb (`describedDevice`).
                    let ifindex = skb.metadata.ifindex
                    if image.describedDevice != ifindex {
                        image.describedDevice = ifindex
                        image.describe(device: run.services.network.update { $0.device(ifindex).map { ($0.mtu, $0.name) } })
                    }
                    image.describeSocket(of: skb)
                }
                image.grant(to: run)
                return image.address
            }
        }
        // The image is current now: the JIT reads the loads through the pointer inline from the
        // first one (asking for the window at the first probe load was ~300 instructions per cast).
        call.probeWindow = TCRun.borrowKeepingImage(call) { $0.probeWindow }
        return address
    }
}
