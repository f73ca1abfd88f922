import BPFCore
import BPFVM

/// Helpers about the task the program runs for (the test-run caller), its cgroup, and the
/// skb's socket: on the embedded backend the task is this process.
enum TaskHelpers {
    /// overflowuid: what `bpf_get_socket_uid` answers for an skb without a full socket.
    static let overflowUID: UInt64 = 65534
    /// What `bpf_get_current_task` answers: an address in the kernel's direct map, one per
    /// thread as the kernel's task_struct is, that reaches no memory here (so
    /// `bpf_probe_read_kernel` of it is -EFAULT).
    static var currentTask: UInt64 { 0xffff_8880_0000_0000 | (ProcessIdentity.pidTgid & 0xffff_ffff) << 13 }

    static func register(_ table: inout HelperTable) {
        table.register(14, name: "get_current_pid_tgid") { _ in ProcessIdentity.pidTgid }
        table.register(15, name: "get_current_uid_gid") { _ in ProcessIdentity.uidGid }
        table.register(16, name: "get_current_comm", currentCommand)
        table.register(120, name: "get_ns_current_pid_tgid", namespacePidTgid)
        table.register(80, name: "get_current_cgroup_id") { _ in ProcessIdentity.cgroupID }
        table.register(123, name: "get_current_ancestor_cgroup_id") { call in
            ProcessIdentity.ancestorCgroupID(level: UInt64(UInt32(truncatingIfNeeded: call.r1)))
        }
        // The classid of the net_cls cgroup, and the route realm: no classifier, no route here.
        table.register(17, name: "get_cgroup_classid") { _ in 0 }
        table.register(24, name: "get_route_realm") { _ in 0 }
        table.register(151, name: "skb_cgroup_classid") { _ in 0 }
        // The skb's socket (test-run gives every skb one, made by the caller) is in its cgroup.
        table.register(79, name: "skb_cgroup_id") { call in
            TCRun.from(call).skb.metadata.socket == nil ? 0 : ProcessIdentity.cgroupID
        }
        table.register(83, name: "skb_ancestor_cgroup_id") { call in
            guard TCRun.from(call).skb.metadata.socket != nil else { return 0 }
            return ProcessIdentity.ancestorCgroupID(level: UInt64(UInt32(truncatingIfNeeded: call.r2)))
        }
        table.register(46, name: "get_socket_cookie") { call in
            let run = TCRun.from(call)
            return run.skb.metadata.socket == nil ? 0 : run.skb.socketCookie
        }
        // The test-run socket belongs to uid 0 of its namespace.
        table.register(47, name: "get_socket_uid") { call in
            TCRun.from(call).skb.metadata.socket == nil ? overflowUID : 0
        }
        table.register(122, name: "get_netns_cookie") { _ in SocketCookies.namespaceCookie }
        table.register(35, name: "get_current_task") { _ in currentTask }
    }

    static func currentCommand(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let to = call.memory(at: call.r1, count: size, write: true, "comm buffer") else { return 0 }
        to.initializeMemory(as: UInt8.self, repeating: 0)
        // Copied NUL-terminated and padded, cut to the buffer.
        for (i, byte) in ProcessIdentity.command.prefix(max(0, size - 1)).enumerated() { to[i] = byte }
        return 0
    }

    /// Fills `struct bpf_pidns_info` when (dev, ino) name this process's pid namespace.
    static func namespacePidTgid(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r4))
        guard let to = call.memory(at: call.r3, count: size, write: true, "pidns info") else { return 0 }
        to.initializeMemory(as: UInt8.self, repeating: 0)
        guard size == 8, call.r1 <= UInt64(UInt32.max), let namespace = ProcessIdentity.pidNamespace,
              namespace.device == call.r1, namespace.inode == call.r2 else { return failed(.EINVAL) }
        let ids = ProcessIdentity.pidTgid
        to.storeBytes(of: UInt32(truncatingIfNeeded: ids), toByteOffset: 0, as: UInt32.self)
        to.storeBytes(of: UInt32(truncatingIfNeeded: ids >> 32), toByteOffset: 4, as: UInt32.self)
        return 0
    }
}
