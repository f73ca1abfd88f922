import Glibc
import TCX

/// The capabilities the calling process holds (CapEff of /proc/self/status), so an EPERM can
/// name the one that is missing instead of leaving the user to guess.
public struct ProcessCapabilities: Hashable, Sendable {
    public var effective: UInt64

    public static let netAdmin = 12
    public static let sysAdmin = 21
    public static let bpf = 39

    public static func current() -> ProcessCapabilities? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // `CapEff:\t000001ffffffffff`
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard fields.count == 2, fields[0] == "CapEff:" else { continue }
            return UInt64(fields[1], radix: 16).map(ProcessCapabilities.init(effective:))
        }
        return nil
    }

    public func has(_ capability: Int) -> Bool { effective & (1 << UInt64(capability)) != 0 }

    /// What bpf(2) on tc hooks needs and this process lacks, named; empty when all are held.
    /// CAP_SYS_ADMIN stands in for CAP_BPF, as the kernel allows.
    public var missingForHooks: [String] {
        var missing: [String] = []
        if !has(Self.bpf) && !has(Self.sysAdmin) { missing.append("CAP_BPF (or CAP_SYS_ADMIN)") }
        if !has(Self.netAdmin) { missing.append("CAP_NET_ADMIN") }
        return missing
    }

    /// A sentence for an EPERM: which capabilities are missing, or nil when the process holds
    /// them all (then EPERM is the kernel's answer to the request itself, as for a link's update).
    public static func hintForPermissionDenied() -> String? {
        guard let current = current() else { return nil }
        let missing = current.missingForHooks
        guard !missing.isEmpty else { return nil }
        return "this process lacks \(missing.joined(separator: " and ")): run as root or grant "
            + (missing.count == 1 ? "it" : "them")
    }
}
