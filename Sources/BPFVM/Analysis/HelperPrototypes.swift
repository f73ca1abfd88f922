/// The memory arguments of helpers as the kernel's prototypes declare them: a pointer register
/// and the register holding its size (ARG_PTR_TO_MEM with ARG_CONST_SIZE or
/// ARG_CONST_SIZE_OR_ZERO right after it), read from HelperPrototypeTable.
enum HelperPrototypes {
    struct SizedMemory {
        let pointer: Int
        let size: Int
        /// The helper writes the memory (uninitialised memory is fine).
        let write: Bool
        /// ARG_CONST_SIZE_OR_ZERO.
        var zeroAllowed = false
        /// NULL may be passed instead (with a zero size).
        var nullable = false
    }

    /// The memory whose size is argument `size` (numbered from 0), if the one before it is memory.
    static func sizedMemory(_ arguments: [HelperArgument], size: Int) -> SizedMemory? {
        guard size > 0, arguments[size].isSize else { return nil }
        let memory = arguments[size - 1]
        guard memory.kind == .memory, memory.bytes == nil else { return nil }
        return SizedMemory(pointer: size, size: size + 1, write: !memory.flags.contains(.readOnly),
                           zeroAllowed: arguments[size].kind == .sizeOrZero, nullable: memory.flags.contains(.nullable))
    }

    /// Helpers with memory arguments the analysis follows exactly (sized or fixed-size).
    static let withMemory: Set<Int32> = Set(HelperPrototypeTable.arguments.compactMap { id, arguments in
        arguments.contains { $0.kind == .memory } ? id : nil
    })
}
