import ArgumentParser
import LinuxKernel
import SwiftTCX

/// A program or link named on the command line, the way bpftool names them:
/// `prog:ID`, `link:ID`, `pinned:PATH` (either kind, by what the pin holds) or `name:NAME`
/// (the program of that name on the hook in question).
enum ObjectReference: ExpressibleByArgument, CustomStringConvertible {
    case programID(UInt32)
    case linkID(UInt32)
    case pinned(String)
    case name(String)

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":") else { return nil }
        let kind = argument[..<colon], value = String(argument[argument.index(after: colon)...])
        guard !value.isEmpty else { return nil }
        switch kind {
        case "prog", "id": guard let id = UInt32(value), id != 0 else { return nil }; self = .programID(id)
        case "link": guard let id = UInt32(value), id != 0 else { return nil }; self = .linkID(id)
        case "pinned": self = .pinned(value)
        case "name": self = .name(value)
        default: return nil
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }

    var description: String {
        switch self {
        case .programID(let id): "prog:\(id)"
        case .linkID(let id): "link:\(id)"
        case .pinned(let path): "pinned:\(path)"
        case .name(let name): "name:\(name)"
        }
    }

    static let grammar = "prog:ID, link:ID, pinned:PATH or name:NAME"

    /// For `transform:`, so a bad reference says what a good one looks like.
    static func parse(_ text: String) throws -> ObjectReference {
        guard let reference = ObjectReference(argument: text) else {
            throw ValidationError("'\(text)' is not a reference to a program or link: give \(grammar) (ids are above 0)")
        }
        return reference
    }
}

/// What a reference resolved to in a world: an open handle the command owns, of a program or a link.
enum ResolvedObject: ~Copyable {
    case program(Program)
    case link(Link)
}

extension KernelSystem {
    /// Opens what `reference` names. `name:` looks on `target`'s hook (and its classic filters),
    /// and must match exactly one program there.
    func open(_ reference: ObjectReference, on target: HookTarget?) throws -> ResolvedObject {
        do {
            switch reference {
            case .programID(let id):
                return .program(try Program(id: id, in: self))
            case .linkID(let id):
                return .link(try Link(id: id, in: self))
            case .pinned(let path):
                let handle = try getPinned(PinPath(path))
                switch try kind(of: handle) {
                case .link: return .link(Link(adopting: handle, in: self))
                case .program: return .program(Program(adopting: handle, in: self))
                default:
                    try? close(handle)
                    throw CommandFailure("'\(path)' is pinned, but it is a map, not a program or a link")
                }
            case .name(let name):
                return .program(try Program(id: try programID(named: name, on: target), in: self))
            }
        } catch let error as TCXError {
            throw CommandFailure("\(reference): \(error)")
        }
    }

    /// The id of the one program called `name` on the hook (tcx entries and classic filters).
    func programID(named name: String, on target: HookTarget?) throws -> UInt32 {
        guard let target else { throw CommandFailure("name:\(name): a name is looked up on a hook, and there is none here") }
        let ids = try attachments(on: target).programIDs
        var matches: [UInt32] = []
        for id in Set(ids) where try programDetails(id: id)?.name == name { matches.append(id) }
        guard matches.count == 1 else {
            throw CommandFailure(matches.isEmpty ? "name:\(name): no program of that name on \(target)"
                : "name:\(name): \(matches.count) programs of that name on \(target) (ids \(matches.sorted().map(String.init).joined(separator: ", "))); use prog:ID")
        }
        return matches[0]
    }

    /// An anchor for `--before/--after REF`: ids go to the kernel as ids; a pin is opened and
    /// passed as an fd, as bpftool does.
    func anchorObject(_ reference: ObjectReference, on target: HookTarget, keeping opened: inout [Handle]) throws -> AnchorObject {
        switch reference {
        case .programID(let id): return .programID(id)
        case .linkID(let id): return .linkID(id)
        case .name(let name): return .programID(try programID(named: name, on: target))
        case .pinned(let path):
            do {
                let handle = try getPinned(PinPath(path))
                opened.append(handle)
                return try kind(of: handle) == .link ? .link(handle) : .program(handle)
            } catch {
                throw CommandFailure("\(reference): \(error)")
            }
        }
    }
}
