/// A pseudo immediate in words, for refusals: what the instruction asked for, not a Swift
/// enum case.
extension PseudoImmediate: CustomStringConvertible {
    public var description: String {
        switch self {
        case .mapFD(let fd): "to map fd \(fd) (no map has that descriptor)"
        case .mapValue(let fd, let offset): "to a value at offset \(offset) of map fd \(fd) (no map has that descriptor, or the offset is outside its value)"
        case .variable(let id): "to the kernel variable with BTF id \(id) (not known here)"
        case .mapIndex(let index): "to map index \(index) (the loader has no map at that index)"
        case .mapIndexValue(let index, let offset): "to a value at offset \(offset) of map index \(index) (no map at that index, or the offset is outside its value)"
        }
    }
}
