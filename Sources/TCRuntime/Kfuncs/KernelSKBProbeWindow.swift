import BPFVM

/// The kernel skb image as the JIT's probe window (`MemoryRegionProvider.probeWindow`), once
/// this run was granted it (a cast): the image is current when it is not stale and no context
/// store waits to be taken in, and it stays so until a helper, a guarded access or a context
/// store runs, each of which closes the window in the JIT. Loads inside it then read the image
/// without a call into Swift.
extension TCRun {
    var probeWindow: UnsafeRawBufferPointer {
        guard kernelImageGranted, let image = kernelSKBImage, !image.stale, !contextWritten else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(image.skb.bytes)
    }
}

extension TCRunHooks {
    var probeWindow: UnsafeRawBufferPointer {
        reference?._withUnsafeGuaranteedRef { $0.probeWindow } ?? UnsafeRawBufferPointer(start: nil, count: 0)
    }
}
