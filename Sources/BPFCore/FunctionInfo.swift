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
