import Glibc

/// How many CPUs the kernel counts as possible: a per-CPU map's value holds one slot for each.
enum PossibleCPUs {
    static let count: Int = read() ?? 1

    /// /sys/devices/system/cpu/possible, a list of ranges such as `0-3` or `0,2-5`.
    private static func read() -> Int? {
        guard let file = fopen("/sys/devices/system/cpu/possible", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return parse(text)
    }

    /// The number of CPUs a range list names; nil when it is not one.
    static func parse(_ text: String) -> Int? {
        var total = 0
        for part in text.split(separator: ",") {
            let bounds = part.filter { !$0.isWhitespace }.split(separator: "-")
            guard let first = bounds.first.flatMap({ Int($0) }) else { return nil }
            let last = bounds.count == 2 ? Int(bounds[1]) : first
            guard bounds.count <= 2, let last, last >= first else { return nil }
            total += last - first + 1
        }
        return total > 0 ? total : nil
    }
}
