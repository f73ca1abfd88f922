import TCX

/// The network-state commands, through the backend's `NetworkStateSystem`.
extension ScriptRunner {
    func executeNetwork(_ command: ScriptCommand) throws(TCXError) -> String {
        guard let net = system as? any NetworkStateSystem else {
            throw TCXError(.EOPNOTSUPP, "the \(system.backendName) backend keeps no network state")
        }
        switch command {
        case .testRunOnDevice(let program, let packet, let count, let device):
            let result = try net.testRun(Handle(rawValue: names.fd(program)), packet: packet, repeat: count,
                                         ifindex: names.ifindex(device))
            return "ret=\(Int32(bitPattern: result.returnValue)) out=\(hex(result.packetOut))"
        case .mac(let device, let mac):
            try net.setMAC(ifindex: names.ifindex(device), mac)
        case .mtu(let device, let mtu):
            try net.setMTU(ifindex: names.ifindex(device), mtu)
        case .addr(let device, let prefix):
            try net.addAddress(ifindex: names.ifindex(device), prefix)
        case .route(let destination, let device, let gateway):
            try net.addRoute(RouteSpec(destination: destination, ifindex: names.ifindex(device), gateway: gateway))
        case .neigh(let device, let address, let mac):
            try net.addNeighbour(ifindex: names.ifindex(device), address: address, mac: mac)
        case .listen(let transport, let address, let port):
            try net.listen(transport, address: address, port: port)
        default:
            throw TCXError(.EINVAL, "not a network-state command")
        }
        return "ok"
    }
}

extension ScriptRunner {
    /// The ifindex a device name of the script stands for (nil for a name it never created).
    public func ifindex(ofDevice name: String) -> UInt32? {
        names.devices[name]
    }
}
