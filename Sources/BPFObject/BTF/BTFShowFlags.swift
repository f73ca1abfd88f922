/// bpf_snprintf_btf's flags (`BTF_F_*`), which the kernel hands on as its show flags.
public struct BTFShowFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// No indentation, no newlines: a struct on one line.
    public static let compact = BTFShowFlags(rawValue: 1)
    /// No `.member = (type)` before the values (the braces stay).
    public static let noName = BTFShowFlags(rawValue: 2)
    /// Pointers as they are (`%px`) instead of hashed (`%p`).
    public static let pointerRaw = BTFShowFlags(rawValue: 4)
    /// Zero members shown too (otherwise only the top-level object shows when zero).
    public static let zero = BTFShowFlags(rawValue: 8)

    /// `BTF_F_ALL`: any other bit is EINVAL.
    public static let known: BTFShowFlags = [.compact, .noName, .pointerRaw, .zero]
}
