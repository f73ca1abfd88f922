import BPFCore
import BPFMaps
import BPFVM

/// bpf_sk_storage_get (107) and bpf_sk_storage_delete (108): socket-local storage on the sockets
/// a run can name, those the lookup helpers handed out and the skb's own. The results are the
/// kernel's, as `net_sk_storage.tcx` records them: get gives the storage, or NULL for flags other
/// than 0 and BPF_SK_STORAGE_GET_F_CREATE or when there is none and it may not create one;
/// delete gives 0 or -ENOENT.
enum SKStorageHelpers {

    static func register(_ table: inout HelperTable) {
        table.register(107, name: "sk_storage_get", get)
        table.register(108, name: "sk_storage_delete", delete)
    }

    /// The map r1 names, refused (as the kernel verifier would) when it is not socket storage.
    private static func storageMap(_ call: inout HelperCall) -> SKStorageMap? {
        LocalStorageValue.map(&call, kind: "sk_storage")
    }

    /// Who the socket pointer in r2 is: a looked-up socket's identity, or the skb's own
    /// socket's cookie (then `own` is true). A pointer to no socket is refused (the verifier
    /// takes only socket pointers there).
    private static func socket(_ call: inout HelperCall, _ run: TCRun) -> (identity: UInt64, own: Bool)? {
        if let record = run.sockets.record(at: call.r2) { return (record.socket.identity, false) }
        if run.isContextSocket(call.r2) { return (run.skb.socketCookie, true) }
        call.failure = "r2 is not a socket pointer"
        return nil
    }

    static func get(_ call: inout HelperCall) -> UInt64 {
        guard let map = storageMap(&call) else { return 0 }
        let run = TCRun.from(call)
        guard let (identity, own) = socket(&call, run) else { return 0 }
        guard let (value, created) = LocalStorageValue.get(&call, valueSize: map.valueSize, what: "sk_storage start value",
                                                           existing: map.storage(of: identity),
                                                           create: { map.create(for: identity, initial: $0) }) else { return 0 }
        if created, own, !run.skb.ownSocketStorage.contains(where: { $0 === map }) { run.skb.ownSocketStorage.append(map) }
        run.grant(MemoryRegion(UnsafeMutableRawBufferPointer(start: value, count: map.valueSize)))
        return UInt64(UInt(bitPattern: value))
    }

    static func delete(_ call: inout HelperCall) -> UInt64 {
        guard let map = storageMap(&call) else { return 0 }
        let run = TCRun.from(call)
        guard let (identity, _) = socket(&call, run) else { return 0 }
        return map.remove(socket: identity) ? 0 : failed(.ENOENT)
    }
}
