import BPFCore

/// The conntrack kfuncs on one path, checked as Linux 6.18 checks them (net/netfilter/
/// nf_conntrack_bpf.c's flags, measured in Tests/Fixtures/corpus/kfunc/conntrack_refused.c):
/// lookup and alloc take the program's own context, a tuple and an opts struct with their sizes
/// (neither may be NULL) and acquire a `struct nf_conn` or `struct nf_conn___init` that may be
/// NULL; insert releases the `___init` one and acquires an `nf_conn`; release drops one; the
/// setters take only the `___init` one, the changers only an `nf_conn`.
enum ConntrackPrototypes {
    static let entry = "nf_conn"
    static let freshEntry = "nf_conn___init"
    /// The structs whose `mark` a program may write (the kernel's nf_conn btf_struct_access).
    static let entryStructures: Set<String> = [entry, freshEntry]

    /// Handles `kfunc` when it is a conntrack one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        let r = state.registers
        var result: AbstractValue = .scalar(.unknown)
        switch kfunc {
        case .skbConntrackLookup, .skbConntrackAlloc, .xdpConntrackLookup, .xdpConntrackAlloc:
            let forXDP = kfunc == .xdpConntrackLookup || kfunc == .xdpConntrackAlloc
            try checkContext(r[1], forXDP: forXDP, setup: setup, at: index)
            try memoryArgument(pointer: 2, argument: 1, at: index, &state)
            try memoryArgument(pointer: 4, argument: 3, at: index, &state)
            let alloc = kfunc == .skbConntrackAlloc || kfunc == .xdpConntrackAlloc
            result = try KernelReferences.acquire(alloc ? freshEntry : entry, by: kfunc, at: index, &state, setup: setup)
        case .conntrackInsertEntry:
            try checkEntry(r[1], expected: freshEntry, kfunc: kfunc, releases: true, at: index)
            PathHelpers.release(r[1], &state)
            result = try KernelReferences.acquire(entry, by: kfunc, at: index, &state, setup: setup)
        case .conntrackRelease:
            try checkEntry(r[1], expected: entry, kfunc: kfunc, releases: true, at: index)
            PathHelpers.release(r[1], &state)
            result = .notInit
        case .conntrackSetTimeout:
            try checkEntry(r[1], expected: freshEntry, kfunc: kfunc, releases: false, at: index)
            result = .notInit
        case .conntrackSetStatus:
            try checkEntry(r[1], expected: freshEntry, kfunc: kfunc, releases: false, at: index)
        case .conntrackChangeTimeout, .conntrackChangeStatus:
            try checkEntry(r[1], expected: entry, kfunc: kfunc, releases: false, at: index)
        case .conntrackSetNATInfo:
            try checkEntry(r[1], expected: freshEntry, kfunc: kfunc, releases: false, at: index)
            try notNull(r[2], argument: 1, at: index)
            try fixedMemory(pointer: 2, bytes: natAddressSize, at: index, &state)
        default:
            return false
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }

    /// `union nf_inet_addr`.
    static let natAddressSize: UInt64 = 16

    /// Argument 0 of lookup and alloc: the program's context, and only for its own type's kfunc.
    private static func checkContext(_ value: AbstractValue, forXDP: Bool, setup: PathSetup, at index: Int) throws(VMError) {
        // An XDP program's helpers include xdp_adjust_head; tc's do not.
        let programIsXDP = setup.pathOptions.helpers.contains(44)
        if forXDP != programIsXDP {
            // The other type's context struct is not this program's: an argument it must trust.
            throw VMError(instruction: index, "R1 must be referenced or trusted", errno: .EINVAL)
        }
        if value.kind != .context, value.kind != .unknown, value.kind != .notInit {
            throw VMError(instruction: index, "arg#0 expected pointer to ctx, but got \(value.typeName)", errno: .EINVAL)
        }
    }

    private static func notNull(_ value: AbstractValue, argument: Int, at index: Int) throws(VMError) {
        if value.isNullable || value.isScalar && value.range.constant == 0 {
            throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg\(argument)", errno: .EACCES)
        }
    }

    /// A pointer with its size in the next register (`bpf_tuple, tuple__sz`, `opts, opts__sz`):
    /// never NULL, and the memory both read and written for the size's largest value (the
    /// kernel checks a kfunc's memory for both, so read-only memory is refused; a privileged
    /// loader may pass stack bytes never written, so the read adds nothing to the write).
    private static func memoryArgument(pointer: Int, argument: Int, at index: Int, _ state: inout PathState) throws(VMError) {
        try notNull(state.registers[pointer], argument: argument, at: index)
        let memory = HelperPrototypes.SizedMemory(pointer: pointer, size: pointer + 1, write: true, zeroAllowed: true)
        do {
            try PathHelpers.sizedArgument(memory, at: index, &state)
        } catch {
            // The kernel's kfunc argument check adds its line to the memory check's refusal.
            throw VMError(instruction: index, "\(error.reason); arg#\(argument) arg#\(argument + 1) memory, len pair leads to "
                          + "invalid memory access", errno: error.errno)
        }
    }

    /// A pointer to memory of a size the prototype fixes (the register after it is overwritten:
    /// every argument register is cleared after the call anyway).
    private static func fixedMemory(pointer: Int, bytes: UInt64, at index: Int, _ state: inout PathState) throws(VMError) {
        state.registers[pointer + 1] = .constant(bytes)
        let memory = HelperPrototypes.SizedMemory(pointer: pointer, size: pointer + 1, write: false)
        try PathHelpers.sizedArgument(memory, at: index, &state)
    }

    /// Argument 0 of insert, release, the setters and the changers: an entry of the struct the
    /// kfunc takes, never NULL, at its start, holding a reference.
    private static func checkEntry(_ value: AbstractValue, expected: String, kfunc: EmbeddedKfunc, releases: Bool,
                                   at index: Int) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .scalar:
            try notNull(value, argument: 0, at: index)
            throw VMError(instruction: index, "arg#0 pointer type STRUCT \(expected) must point to scalar, or struct with scalar",
                          errno: .EINVAL)
        case .btf(let pointer):
            try notNull(value, argument: 0, at: index)
            guard pointer.name == expected else {
                throw VMError(instruction: index, "kernel function \(kfunc.name) args#0 expected pointer to STRUCT \(expected) "
                              + "but R1 has a pointer to STRUCT \(pointer.name)", errno: .EINVAL)
            }
            // A pointer read through an entry (`ct->master`) is neither.
            if !pointer.acquired, !pointer.trusted {
                throw VMError(instruction: index, "R1 must be referenced or trusted", errno: .EINVAL)
            }
            if releases, value.reference == 0 {
                throw VMError(instruction: index, "R1 must be referenced when passed to release function", errno: .EINVAL)
            }
            if value.offset != 0 || value.range.constant != 0 {
                throw VMError(instruction: index, "R1 must have zero offset when passed to release func or trusted arg to kfunc",
                              errno: .EINVAL)
            }
        default:
            throw VMError(instruction: index, "kernel function \(kfunc.name) args#0 expected pointer to STRUCT \(expected) "
                          + "but R1 has a pointer to \(value.typeName)", errno: .EINVAL)
        }
    }

    /// A store through an entry: only into `mark`, and not past it.
    static func checkWrite(offset: Int, size: Int, types: any KernelTypeCatalog, at index: Int) throws(VMError) {
        guard let id = types.structureID(named: entry), let mark = types.member("mark", of: id),
              mark.bitfieldSize == 0, offset == mark.bitOffset / 8 else {
            throw VMError(instruction: index, "no write support to nf_conn at off \(offset)", errno: .EACCES)
        }
        let end = offset + mark.size
        if offset + size > end {
            throw VMError(instruction: index, "write access at off \(offset) with size \(size) beyond the member of nf_conn "
                          + "ended at \(end)", errno: .EACCES)
        }
    }
}
