import Engine
import LinuxKernel
import TCX

/// The two implementations of `TCXSystem`.
public enum Backend: String, CaseIterable, Sendable {
    /// The in-process engine: no root, no kernel needed.
    case embedded
    /// Linux's real tcx hooks through bpf(2), in a private network namespace and bpffs.
    case kernel

    /// Opens a fresh, isolated world. Call `shutdown()` on it when done.
    public func openWorld() throws(TCXError) -> any TCXSystem {
        switch self {
        case .embedded: EmbeddedSystem()
        case .kernel: try KernelSystem()
        }
    }
}
