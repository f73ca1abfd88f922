import BPFCore
#if canImport(Glibc)
import Glibc
#endif

/// What `__kconfig` externs are filled from, as libbpf fills them: the kernel release (for
/// `LINUX_KERNEL_VERSION`), the kernel's configuration text, and the two features libbpf
/// probes (`LINUX_HAS_BPF_COOKIE`, `LINUX_HAS_SYSCALL_WRAPPER`).
public struct KconfigSource: Sendable, Hashable {
    /// `uname -r`, or `/proc/version_signature`'s version on Ubuntu; nil when unknown.
    public var release: String?
    /// The configuration (`CONFIG_…=…` lines); nil when the machine has none to read.
    public var configuration: String?
    public var hasBPFCookie: Bool
    public var hasSyscallWrapper: Bool

    public init(release: String?, configuration: String?, hasBPFCookie: Bool = true, hasSyscallWrapper: Bool = true) {
        self.release = release
        self.configuration = configuration
        self.hasBPFCookie = hasBPFCookie
        self.hasSyscallWrapper = hasSyscallWrapper
    }

    /// The configuration file is a few hundred KiB; far more is not a configuration.
    static let maxConfigurationSize = 16 << 20

    /// The running machine's, read where libbpf reads them: `/boot/config-$(uname -r)`, else
    /// `/proc/config.gz`, else `/proc/config`. The two features are those of the release
    /// (BPF cookies since 5.15; the x86-64 and arm64 syscall wrappers since 4.17 and 5.5),
    /// which is what libbpf's probes find on such kernels.
    public static func system() -> KconfigSource { machine }

    /// Read once per process: the release and the configuration do not change while it runs.
    private static let machine: KconfigSource = read()

    private static func read() -> KconfigSource {
        let release = kernelRelease()
        var configuration: String?
        let candidates = (release.map { ["/boot/config-\($0)"] } ?? []) + ["/proc/config.gz", "/proc/config"]
        for path in candidates {
            guard access(path, R_OK) == 0,
                  var bytes = try? BoundedInput.read(path, .init("kernel configuration", limit: maxConfigurationSize)) else { continue }
            if bytes.starts(with: [0x1f, 0x8b]) {
                guard let plain = try? Gunzip.decompress(bytes, limit: maxConfigurationSize) else { continue }
                bytes = plain
            }
            configuration = String(decoding: bytes, as: UTF8.self)
            break
        }
        let version = release.flatMap(KconfigValues.kernelVersion) ?? 0
        #if arch(x86_64)
        let wrapperSince: UInt32 = 4 << 16 | 17 << 8
        #else
        let wrapperSince: UInt32 = 5 << 16 | 5 << 8
        #endif
        return KconfigSource(release: release, configuration: configuration,
                             hasBPFCookie: version >= 5 << 16 | 15 << 8, hasSyscallWrapper: version >= wrapperSince)
    }

    private static func kernelRelease() -> String? {
        // Ubuntu's real upstream version: "Ubuntu 5.15.0-91.101-generic 5.15.131".
        if let bytes = try? BoundedInput.read("/proc/version_signature", .init("version signature", limit: 4096)) {
            let words = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            if words.count >= 3 { return String(words[2]) }
        }
        var names = utsname()
        uname(&names)
        return withUnsafeBytes(of: &names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
