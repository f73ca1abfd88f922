import BPFCore

extension Operation {
    /// The register a load, store or atomic goes through; nil for every other instruction.
    var memoryAccessBase: UInt8? {
        switch self {
        case let .load(_, _, _, src, _): src
        case let .store(_, dst, _, _): dst
        case let .atomic(_, _, dst, _, _): dst
        default: nil
        }
    }
}
