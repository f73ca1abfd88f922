import BPFCore
import Glibc
import TCX

extension KernelSystem {
    /// What this kernel offers, found once per process by trying each feature on `lo` of a
    /// throwaway network namespace, never from a version number. All false when no namespace
    /// can be made (not root).
    public static let hookFeatures = HookFeatures(tcx: probe(tcxQuery), tcxLinks: probe(tcxLink),
                                                  netkit: supportsNetkit)

    private static let loIngress = HookTarget(ifindex: 1, attachType: .tcxIngress)

    /// Runs `attempt` on a thread of a fresh namespace; a thrown error counts as "no".
    private static func probe(_ attempt: @escaping @Sendable () throws(TCXError) -> Void) -> Bool {
        guard let probe = try? WorldThread(name: "tcx-feature-probe", makeState: { () throws(TCXError) in () }) else {
            return false
        }
        defer { probe.stop { _ in } }
        return (try? probe.run { _ throws(TCXError) in try attempt() }) != nil
    }

    /// BPF_PROG_QUERY on lo's tcx ingress: kernels without tcx refuse the attach type.
    private static func tcxQuery() throws(TCXError) {
        _ = try HookQuery.run(RawQuery(target: loIngress, capacity: nil))
    }

    /// BPF_LINK_CREATE of a trivial SCHED_CLS program on lo's tcx ingress; both fds are closed
    /// (the namespace goes with the thread anyway).
    private static func tcxLink() throws(TCXError) {
        let program = try ProgramLoader.load(.returning(Verdict.next.rawValue, name: "tcx_probe"))
        defer { Glibc.close(program) }
        var attr = BPFAttr.zeroed()
        attr.set(BPFAttr.LinkCreate.progFD, UInt32(bitPattern: program))
        attr.set(BPFAttr.LinkCreate.targetIfindex, loIngress.ifindex)
        attr.set(BPFAttr.LinkCreate.attachType, loIngress.attachType.rawValue)
        let link = try BPFSyscall.call(.linkCreate, &attr, "on \(loIngress) (probe)")
        Glibc.close(link)
    }
}
