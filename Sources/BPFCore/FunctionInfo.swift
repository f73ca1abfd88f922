/// One BTF function record for a program, as BPF_PROG_LOAD takes it: the function whose code
/// starts at `instruction` (counted in 8-byte slots of the final program) has BTF type `typeID`.
public struct FunctionInfo: Hashable, Sendable {
    public var instruction: UInt32
    public var typeID: UInt32
    public init(instruction: UInt32, typeID: UInt32) {
        self.instruction = instruction
        self.typeID = typeID
    }
}

/// A function of a program that its BTF declares global (`BTF_FUNC_GLOBAL`): the kernel verifies
/// it on its own and checks each call against its signature, where it must return a scalar.
public struct GlobalFunction: Hashable, Sendable {
    /// The function's first instruction slot in the program.
    public var instruction: UInt32
    public var name: String
    /// Whether its BTF return type is an integer or an enum (void and pointers are not).
    public var returnsScalar: Bool
    /// Its parameters as the kernel types them from BTF (`btf_prepare_func_args`); empty when
    /// the BTF tags them (`__arg_ctx` and the like), which the verifier then does not follow.
    public var arguments: [GlobalArgument]
    /// Whether the program names it its exception callback (BTF declaration tag
    /// `exception_callback:NAME` on the program): `bpf_throw` ends the program through it.
    public var isExceptionCallback: Bool
    public init(instruction: UInt32, name: String, returnsScalar: Bool, arguments: [GlobalArgument] = [],
                isExceptionCallback: Bool = false) {
        self.instruction = instruction
        self.name = name
        self.returnsScalar = returnsScalar
        self.arguments = arguments
        self.isExceptionCallback = isExceptionCallback
    }
}

/// A global function's parameter, as the kernel verifies the function with it and checks
/// each caller's register against it.
public enum GlobalArgument: Hashable, Sendable {
    /// An integer or enum.
    case scalar
    /// A pointer to a struct some program type takes as its context (`__sk_buff`, `xdp_md`): the
    /// context when it is the loading program type's own (`resolved(contextName:)`), else `size`
    /// bytes of memory, as the kernel's btf_get_prog_ctx_type decides.
    case context(structure: String, size: Int)
    /// A pointer to `size` bytes, or NULL.
    case memory(size: Int)
    /// A pointer to a dynptr (`struct bpf_dynptr *`): the caller's must be one it made; the
    /// function gets a read-only dynptr (the kernel's CONST_PTR_TO_DYNPTR).
    case dynptr
    /// A type the kernel refuses (its log line's words).
    case unsupported(String)
}

extension GlobalArgument {
    /// The struct names program types take as their context.
    public static let contextStructures: Set<String> = ["__sk_buff", "xdp_md"]

    /// This parameter for a program whose context is `struct contextName`: another type's context
    /// struct is plain memory of its size.
    public func resolved(contextName: String) -> GlobalArgument {
        if case let .context(structure, size) = self, structure != contextName { return .memory(size: size) }
        return self
    }
}

extension GlobalFunction {
    /// The function with its parameters as a program whose context is `struct contextName` sees them.
    public func resolved(contextName: String) -> GlobalFunction {
        var function = self
        function.arguments = arguments.map { $0.resolved(contextName: contextName) }
        return function
    }
}
