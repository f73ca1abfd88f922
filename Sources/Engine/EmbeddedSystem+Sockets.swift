import BPFCore
import TCRuntime
import TCX

/// Sockets with descriptors: what userspace stores in a SOCKMAP or SOCKHASH. The socket is a
/// socket of the world's network state (as `listen` opens one) with a descriptor in its table;
/// closing the descriptor closes the socket.
extension EmbeddedSystem {
    public func openSocket(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError) -> Handle {
        let opened: Result<UInt64, TCXError> = runner.services.network.update { net in
            var copy = net
            do throws(TCXError) {
                try copy.listen(transport, address: address, port: port)
                // listen appends the socket last.
                guard let identity = copy.sockets.last?.identity else {
                    return .failure(TCXError(.EINVAL, "the socket for \(address) port \(port) is not in the world"))
                }
                net = copy
                return .success(identity)
            } catch {
                return .failure(error)
            }
        }
        let identity = try opened.get()
        return try locked { world in world.descriptors.installSocket(identity: identity) }
    }

    /// The socket leaves the network state, so lookups no longer find it.
    func forgetSocket(identity: UInt64) {
        runner.services.network.update { $0.sockets.removeAll { $0.identity == identity } }
    }
}

extension WorldState {
    /// Closes a socket's descriptor `fd`. The socket closes with its last descriptor: then it
    /// leaves every socket map and its identity is returned; nil while other descriptors hold it.
    func closeSocket(_ fd: UInt32) -> UInt64? {
        guard let identity = descriptors.removeSocket(fd) else { return nil }
        guard !descriptors.sockets.values.contains(identity) else { return nil }
        forgetSocket(identity: identity)
        return identity
    }
}
