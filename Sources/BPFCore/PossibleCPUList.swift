#if canImport(Glibc)
import Glibc
#endif

/// The machine's possible CPUs, as the kernel counts them for per-CPU values and objects
/// (/sys/devices/system/cpu/possible, a list of ranges such as `0-3` or `0,2-5`), so the
/// embedded backend lays per-CPU data out as the kernel does on the same machine.
public enum PossibleCPUList {
    public static let count: Int = {
        if let file = fopen("/sys/devices/system/cpu/possible", "r") {
            defer { fclose(file) }
            var buffer = [CChar](repeating: 0, count: 4096)
            if fgets(&buffer, Int32(buffer.count), file) != nil {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if let count = parse(text) { return count }
            }
        }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_CONF))))
    }()

    /// How many CPUs a list of ranges names; nil when it names none or is not one.
    public static func parse(_ text: String) -> Int? {
        var count = 0
        for range in text.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let parts = range.split(separator: "-", omittingEmptySubsequences: false)
            let bounds = parts.compactMap { Int($0) }
            guard bounds.count == parts.count else { return nil }
            switch bounds.count {
            case 1: count += 1
            case 2 where bounds[1] >= bounds[0] && bounds[1] - bounds[0] < 1 << 16: count += bounds[1] - bounds[0] + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }
}
