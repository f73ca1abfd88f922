import BPFCore
import Synchronization

/// BPF_MAP_TYPE_SK_STORAGE: a value per socket, made on demand by `bpf_sk_storage_get` with
/// BPF_SK_STORAGE_GET_F_CREATE and dropped by `bpf_sk_storage_delete` or with the socket.
/// Sockets are named by an identity the runtime gives them (a world socket's, or the cookie of
/// a test-run skb's own socket).
///
/// A value's memory stays put while the map lives, even after a delete: a program may still
/// hold the pointer for the rest of its run, which the kernel's RCU keeps valid too. So a
/// deleted value is only retired, and freed with the map; the value of a test-run skb's own
/// socket is freed with the skb, when no run can reach it.
public final class SKStorageMap: BPFMap, @unchecked Sendable {
    /// Value addresses (as integers, so the state is Sendable) by socket, and retired ones.
    private struct State {
        var live: [UInt64: UInt] = [:]
        var retired: [UInt] = []
    }
    private let state = Mutex(State())

    init(spec: MapSpec, possibleCPUs: Int) {
        super.init(validated: spec, possibleCPUs: possibleCPUs)
    }

    deinit {
        state.withLock { state in
            for address in Array(state.live.values) + state.retired {
                UnsafeMutableRawPointer(bitPattern: address)?.deallocate()
            }
        }
    }

    /// The value of `socket`, nil when it has none.
    public func storage(of socket: UInt64) -> UnsafeMutableRawPointer? {
        state.withLock { $0.live[socket] }.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// The value of `socket`, made from `initial` (valueSize bytes) or zeroed when it has none.
    public func create(for socket: UInt64, initial: UnsafeRawPointer?) -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(byteCount: max(valueSize, 1), alignment: 8)
        if let initial {
            block.copyMemory(from: initial, byteCount: valueSize)
        } else {
            block.initializeMemory(as: UInt8.self, repeating: 0, count: valueSize)
        }
        let mine = UInt(bitPattern: block)
        let kept = state.withLock { state -> UInt in
            if let existing = state.live[socket] { return existing }
            state.live[socket] = mine
            return mine
        }
        // Another run made it first: use that one.
        if kept != mine, let existing = UnsafeMutableRawPointer(bitPattern: kept) {
            block.deallocate()
            return existing
        }
        return block
    }

    /// Drops the value of `socket`; false when it had none.
    @discardableResult
    public func remove(socket: UInt64) -> Bool {
        state.withLock { state in
            guard let address = state.live.removeValue(forKey: socket) else { return false }
            state.retired.append(address)
            return true
        }
    }

    /// Frees the value of a socket that is gone and that no run can name any more (a test-run
    /// skb's own socket once the skb is freed): nothing can hold its pointer, so it is not kept.
    public func release(socket: UInt64) {
        let address = state.withLock { $0.live.removeValue(forKey: socket) }
        if let address { UnsafeMutableRawPointer(bitPattern: address)?.deallocate() }
    }

    // The syscall side takes a socket descriptor as the key. The embedded world hands out no
    // socket descriptors, so every key is a bad descriptor, as an unused fd is on the kernel.

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        throw Self.noSocket(key)
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        throw Self.noSocket(key)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        throw Self.noSocket(key)
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "sk_storage has no keys to walk")
    }

    private static func noSocket(_ key: [UInt8]) -> MapError {
        let fd = key.withPointer { $0.loadUnaligned(as: Int32.self) }
        return MapError(.EBADF, "fd \(fd) is not a socket of this world (the embedded world has no socket descriptors)")
    }
}
