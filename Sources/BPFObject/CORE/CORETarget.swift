import BPFCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which BTF CO-RE relocations are resolved against.
public enum COREBTFSource: Sendable, Hashable {
    /// The running kernel's `/sys/kernel/btf/vmlinux`; failing when it cannot be read.
    case kernel
    /// The BTF this project ships for the structures tc programs read (uapi and network headers).
    case shipped
    /// The kernel's when readable, else the shipped one.
    case auto
    /// A raw BTF file.
    case file(String)

    public static let environmentVariable = "TCX_CORE_BTF"
    public static let kernelPath = "/sys/kernel/btf/vmlinux"

    /// `TCX_CORE_BTF`: `kernel`, `shipped`, `auto` (the default) or a path.
    public static func fromEnvironment() -> COREBTFSource {
        guard let raw = getenv(environmentVariable) else { return .auto }
        return parse(String(cString: raw))
    }

    public static func parse(_ text: String) -> COREBTFSource {
        switch text {
        case "", "auto": .auto
        case "kernel": .kernel
        case "shipped": .shipped
        default: .file(text)
        }
    }
}

/// Loads (once per process) the target BTF a source names.
enum CORETargets {
    /// vmlinux BTF is about 5-6 MiB; anything far larger is not BTF worth reading.
    static let maxFileSize = 256 << 20
    /// A target and its candidate index, as cached.
    struct Loaded: Sendable {
        let btf: BTF
        let index: CORECandidates.Index
        init(_ btf: BTF) {
            self.btf = btf
            index = CORECandidates.index(btf)
        }
    }

    private static let cache = Mutex<[String: Loaded]>([:])

    static func load(_ source: COREBTFSource, fail: Failure) throws(ObjectError) -> Loaded {
        switch source {
        case .kernel:
            return try file(COREBTFSource.kernelPath, fail: fail)
        case .shipped:
            return try shipped(fail: fail)
        case .file(let path):
            return try file(path, fail: fail)
        case .auto:
            if access(COREBTFSource.kernelPath, R_OK) == 0, let loaded = try? file(COREBTFSource.kernelPath, fail: fail) {
                return loaded
            }
            return try shipped(fail: fail)
        }
    }

    private static func shipped(fail: Failure) throws(ObjectError) -> Loaded {
        if let loaded = cache.withLock({ $0["shipped"] }) { return loaded }
        guard let bytes = Base64.decode(ShippedBTF.base64) else {
            throw fail(nil, "the shipped BTF is not valid base64 (rebuild it with Tools/shipped-btf/generate.sh)")
        }
        let loaded = Loaded(try BTF(bytes: bytes, location: "shipped BTF", fail: fail))
        cache.withLock { $0["shipped"] = loaded }
        return loaded
    }

    private static func file(_ path: String, fail: Failure) throws(ObjectError) -> Loaded {
        if let loaded = cache.withLock({ $0[path] }) { return loaded }
        let bytes: [UInt8]
        do { bytes = try BoundedInput.read(path, .init("CO-RE target BTF", limit: maxFileSize)) } catch {
            var refusal = fail(nil, "cannot read the CO-RE target BTF \(path): \(error.reason) (set \(COREBTFSource.environmentVariable)=shipped to use the BTF tcx ships)")
            // libbpf answers ESRCH when the kernel has no BTF, the open's errno for a given path.
            refusal.errno = path == COREBTFSource.kernelPath ? .ESRCH : error.errno
            throw refusal
        }
        let loaded = Loaded(try BTF(bytes: bytes, location: "CO-RE target BTF \(path)", fail: fail))
        cache.withLock { $0[path] = loaded }
        return loaded
    }
}

/// A small base64 decoder (RFC 4648) that skips line breaks, for the shipped BTF.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0, bits = 0
        for c in text.utf8 {
            let value: UInt8
            switch c {
            case UInt8(ascii: "A") ... UInt8(ascii: "Z"): value = c - UInt8(ascii: "A")
            case UInt8(ascii: "a") ... UInt8(ascii: "z"): value = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): value = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "): continue
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return out
    }
}
