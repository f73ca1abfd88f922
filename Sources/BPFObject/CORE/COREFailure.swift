import BPFCore

/// Why one CO-RE relocation cannot be applied, with the errno libbpf returns for it.
struct COREFailure: Error {
    let errno: LinuxErrno
    let reason: String

    init(_ reason: String, errno: LinuxErrno = .EINVAL) {
        self.errno = errno
        self.reason = reason
    }
}

/// Caps the work of one relocation, so hostile BTF (members that nest anonymous structs in
/// themselves, huge prototypes) cannot make the matcher run for ever.
struct COREBudget {
    /// Far above what real kernels need (a few thousand steps for the deepest vmlinux types).
    static let stepsPerRelocation = 1_000_000
    /// libbpf's `BPF_CORE_SPEC_MAX_LEN`: accessors in one spec.
    static let maxSpecLength = 64
    /// libbpf's recursion limit for type comparisons.
    static let maxTypeDepth = 32

    private(set) var steps = 0

    mutating func spend() throws(COREFailure) {
        steps += 1
        guard steps <= Self.stepsPerRelocation else {
            throw COREFailure("gave up after \(Self.stepsPerRelocation) steps comparing types (cyclic or hostile BTF)", errno: .E2BIG)
        }
    }
}
