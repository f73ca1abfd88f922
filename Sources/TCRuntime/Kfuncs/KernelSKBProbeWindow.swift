import BPFVM

/// The kernel skb image as the JIT's probe window (`MemoryRegionProvider.probeWindow`), once
/// this run was granted it (a cast): the image is current when it is not stale and no context
/// store waits to be taken in, and it stays so until a helper, a guarded access or a context
/// store runs, each of which closes the window in the JIT. Loads inside it then read the image
/// without a call into Swift.
extension TCRun {
    var probeWindow: UnsafeRawBufferPointer {
        let closed = UnsafeRawBufferPointer(start: nil, count: 0)
        guard kernelImageGranted, !contextWritten, let reference = imageReference else { return closed }
        return reference._withUnsafeGuaranteedRef { $0.stale ? closed : UnsafeRawBufferPointer($0.skb.bytes) }
    }
}

extension TCRunHooks {
    var probeWindow: UnsafeRawBufferPointer {
        reference?._withUnsafeGuaranteedRef { $0.probeWindow } ?? UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// `probeWindow` for the JIT's probe-load thunk, called on the hooks unretained (the run
    /// holds them): asked through the existential, each probe load retained and released it.
    var directProbeWindow: DirectProbeWindow? {
        DirectProbeWindow(function: Self.probeWindowUnretained, context: UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()))
    }

    private static let probeWindowUnretained: DirectProbeWindow.Function = { context, count in
        let window = Unmanaged<TCRunHooks>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.probeWindow }
        count.pointee = UInt64(window.count)
        return UInt64(UInt(bitPattern: window.baseAddress))
    }
}
