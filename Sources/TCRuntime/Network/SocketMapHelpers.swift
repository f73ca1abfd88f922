import BPFCore
import BPFMaps
import BPFVM

/// The map helpers on a SOCKMAP or SOCKHASH (net/core/sock_map.c): a lookup hands the program a
/// reference to the socket stored under the key (released with bpf_sk_release, as a socket
/// lookup's), an update stores a socket the program holds.
enum SocketMapHelpers {
    /// bpf_map_lookup_elem: the socket as a fresh `struct bpf_sock` the run holds, or NULL.
    static func lookup(_ call: inout HelperCall, in map: SocketMap, key: UnsafeRawPointer) -> UInt64 {
        guard let stored = map.socketForProgram(key: key) else { return 0 }
        let run = TCRun.from(call)
        // A socket closed since it was stored has left the map; one missing here is gone too.
        guard let socket = run.services.network.snapshot.sockets.first(where: { $0.identity == stored.identity }) else { return 0 }
        return run.sockets.acquire(socket)
    }

    /// bpf_map_update_elem: r3 is a socket pointer (the verifier checked it is one). Sockets
    /// from lookups are TCP listeners or bound UDP sockets, which a map takes; the skb's own
    /// test-run socket is neither.
    static func update(_ call: inout HelperCall, in map: SocketMap, key: UnsafeRawPointer) -> LinuxErrno? {
        let run = TCRun.from(call)
        let socket = run.sockets.record(at: call.r3).map { MapSocket(identity: $0.socket.identity, cookie: $0.socket.identity) }
        return map.storeFromProgram(key: key, socket: socket, flags: call.r4)
    }
}
