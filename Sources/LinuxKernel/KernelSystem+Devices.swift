import BPFCore
import TCX

/// Devices of the world's network namespace, through its rtnetlink socket.
extension KernelSystem {
    public func createVeth(name: String, peer: String) throws(TCXError) -> (UInt32, UInt32) {
        try world.run { state throws(TCXError) in try Devices.createVeth(state.netlink, name: name, peer: peer) }
    }

    public func createNetkit(_ spec: NetkitSpec) throws(TCXError) -> (UInt32, UInt32) {
        try world.run { state throws(TCXError) in try Devices.createNetkit(state.netlink, spec) }
    }

    public func deleteDevice(ifindex: UInt32) throws(TCXError) {
        try world.run { state throws(TCXError) in try Devices.delete(state.netlink, ifindex: ifindex) }
    }

    public func devices() throws(TCXError) -> [DeviceInfo] {
        try world.run { state throws(TCXError) in try Devices.infos(state.netlink) }
    }
}
