import BPFCore

/// Why one program of an object cannot be loaded, while the rest of the object can: libbpf
/// opens such a file and fails only the program, and only when it is asked for.
///
/// Both kinds are EINVAL, with the reason:
/// - a program of another type (a section such as `kprobe/…`, `iter/…`, `socket`): what the
///   kernel answers when such a program is attached to tc or test-run as one;
/// - a function (or a subprogram it calls) with a kfunc call, an extern (ksym, kconfig) or a
///   map reference the loader cannot relocate: what BPF_PROG_LOAD answers for the instruction
///   left unrelocated.
public struct ProgramRefusal: Hashable, Sendable, CustomStringConvertible {
    public var errno: LinuxErrno
    public var error: ObjectError

    public init(_ errno: LinuxErrno, _ error: ObjectError) {
        self.errno = errno
        self.error = error
    }

    public var description: String { error.description }
}
