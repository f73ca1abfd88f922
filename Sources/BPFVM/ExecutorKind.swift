#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which engine runs programs: the interpreter (the reference, every platform) or the
/// x86-64 JIT (Linux on x86-64 only; elsewhere it means the interpreter).
public enum ExecutorKind: String, Sendable, CaseIterable {
    case interpreter
    case jit

    /// Whether this platform has the JIT.
    public static var jitAvailable: Bool {
        #if arch(x86_64) && os(Linux)
        true
        #else
        false
        #endif
    }

    /// The platform's choice when nothing else is said: the JIT where it exists.
    public static var platformDefault: ExecutorKind { jitAvailable ? .jit : .interpreter }

    /// The process-wide choice: `TCX_VM_EXECUTOR=jit` or `=interpreter` overrides the platform default.
    public static let selected: ExecutorKind = {
        if let value = getenv("TCX_VM_EXECUTOR"), let kind = ExecutorKind(rawValue: String(cString: value)) {
            return kind
        }
        return platformDefault
    }()

    /// An executor of this kind; programs must have been loaded with the same kind for the JIT to run them.
    public var executor: any ProgramExecutor {
        switch self {
        case .interpreter: Interpreter()
        case .jit: JITExecutor()
        }
    }
}
