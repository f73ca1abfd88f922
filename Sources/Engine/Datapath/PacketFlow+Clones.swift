import TCRuntime

extension PacketFlow {
    /// Sends the copies `bpf_clone_redirect` made during the hook just run: each leaves from its
    /// device's egress (or, with BPF_F_INGRESS, enters its receive path, scrubbed as a forwarded
    /// packet) on a path of its own; the original packet's path does not change. The kernel
    /// sends a copy at the call; here it goes when the hook's programs are done.
    func sendClones(of frame: Frame, hops: Int) {
        for clone in frame.skb.takeClones() {
            let copy = Frame(clone.packet, metadata: clone.metadata)
            var path = PacketPath()
            guard hops < Self.hopLimit else {
                sink?.dropped(clone.packet, at: clone.target.ifindex, reason: "clone loop: more than \(Self.hopLimit) hops")
                continue
            }
            if clone.target.direction == .ingress {
                copy.scrub()
                receive(copy, at: clone.target.ifindex, path: &path, hops: hops + 1)
            } else {
                transmit(copy, from: clone.target.ifindex, path: &path, hops: hops + 1)
            }
        }
    }
}
