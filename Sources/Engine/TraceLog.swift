import Synchronization

/// What programs printed with bpf_trace_printk, in order (the kernel's trace_pipe).
public final class TraceLog: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line so far, and forgets them.
    public func drain() -> [String] { lines.withLock { lines in defer { lines.removeAll() }; return lines } }
}
