/// Fields kept behind one immutable reference: a struct holding them copies as a word, where the
/// path analysis copies register states (and the map shapes they name) millions of times. A
/// change makes a new box, so a copy never sees another's change.
final class SharedFields<Fields: Hashable & Sendable>: Sendable {
    let fields: Fields

    init(_ fields: Fields) {
        self.fields = fields
    }

    static func same(_ a: SharedFields, _ b: SharedFields) -> Bool {
        a === b || a.fields == b.fields
    }
}
