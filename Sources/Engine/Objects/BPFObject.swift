/// What a handle or a pin refers to.
enum BPFObject {
    case program(ProgramObject)
    case link(LinkObject)
    case map(MapObject)

    var label: String {
        switch self {
        case .program(let p): p.label
        case .link(let l): l.label
        case .map(let m): m.label
        }
    }
}

/// An open file: what a descriptor (and its dups) refers to. It holds one reference on its
/// object, dropped when the last descriptor for it closes.
final class OpenFile {
    let object: BPFObject
    var descriptors = 0
    init(object: BPFObject) { self.object = object }
}
