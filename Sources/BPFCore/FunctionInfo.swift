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
    public init(instruction: UInt32, name: String, returnsScalar: Bool) {
        self.instruction = instruction
        self.name = name
        self.returnsScalar = returnsScalar
    }
}
