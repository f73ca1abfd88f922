import BPFCore
import TCX

/// A loaded program. Its references are counted the kernel's way: every open file, every pin,
/// every prog-mode attachment and every link holding it; it is freed (its id withdrawn) when
/// the last one goes.
final class ProgramObject: @unchecked Sendable {
    let id: UInt32
    let type: ProgramType
    let expectedAttachType: AttachType?
    let name: String
    let executable: Executable
    let counters = ProgramCounters()
    /// The maps the program's instructions refer to; it holds a reference on each.
    let maps: [MapObject]
    /// Guarded by the world's lock.
    var references = 0

    init(id: UInt32, spec: ProgramSpec, executable: Executable, maps: [MapObject]) {
        self.maps = maps
        self.id = id
        self.type = spec.type
        self.expectedAttachType = spec.expectedAttachType
        self.name = spec.name
        self.executable = executable
    }

    var label: String { name.isEmpty ? "program \(id)" : "program \(name) (id \(id))" }
}
