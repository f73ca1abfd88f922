import Engine
import LinuxKernel
import TCX

/// The two implementations of `TCXSystem`.
public enum Backend: String, CaseIterable, Sendable {
    /// The in-process engine: no root, no kernel needed.
    case embedded
    /// Linux's real hooks through bpf(2): a private sandbox, the host, or a named namespace.
    case kernel

    /// Opens a fresh, isolated world (a sandbox). Call `shutdown()` on it when done. Its network
    /// state (`NetworkStateSystem`: MACs, MTUs, addresses, routes, neighbours, sockets) is what
    /// the programs' FIB, MTU, neighbour and socket helpers see.
    public func openWorld() throws(TCXError) -> any BPFObjectSystem & ClassicTCSystem & NetworkStateSystem {
        try openWorld(.sandbox)
    }

    /// Opens a world in `scope`. The embedded backend has sandbox worlds only: it has no
    /// machine to reach. Shutting a world down closes only what it opened: links it made and
    /// did not pin detach, exactly as when a process exits.
    public func openWorld(_ scope: KernelScope) throws(TCXError) -> any BPFObjectSystem & ClassicTCSystem & NetworkStateSystem {
        switch self {
        case .embedded:
            guard scope == .sandbox else {
                throw TCXError(.EOPNOTSUPP, "the embedded backend has only sandbox worlds; \(scope) needs --backend kernel")
            }
            return EmbeddedSystem()
        case .kernel:
            return try KernelSystem(scope: scope)
        }
    }
}
