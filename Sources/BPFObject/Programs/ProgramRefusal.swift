import BPFCore

/// Why one program of an object cannot be loaded, while the rest of the object can: libbpf
/// opens such a file and fails only the program, and only when it is asked for.
///
/// With the errno a loader answers and the reason:
/// - a program of another type (a section such as `kprobe/…`, `iter/…`, `socket`): EINVAL, what
///   the kernel answers when such a program is attached to tc or test-run as one;
/// - a function (or a subprogram it calls) with a reference the loader cannot relocate (a
///   `__ksym` variable, a map reference): EINVAL, what BPF_PROG_LOAD answers for the
///   instruction left unrelocated;
/// - a strong kfunc or kconfig extern that cannot be resolved: ESRCH as libbpf, or EACCES for
///   a kfunc the kernel refuses to tc programs (docs/objects.md, "Externs and kfuncs").
public struct ProgramRefusal: Hashable, Sendable, CustomStringConvertible {
    public var errno: LinuxErrno
    public var error: ObjectError

    public init(_ errno: LinuxErrno, _ error: ObjectError) {
        self.errno = errno
        self.error = error
    }

    public var description: String { error.description }
}
