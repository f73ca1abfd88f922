import SwiftTCX

/// An object file and one of its programs, loaded for a host command; failures name the file.
enum CommandObjects {
    static func open(_ path: String, in world: any BPFObjectSystem) throws -> ObjectCollection {
        do {
            return try ObjectCollection(file: path, in: world)
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }

    static func program(_ name: String, of collection: borrowing ObjectCollection, file: String) throws -> Program {
        do {
            return try collection.program(name)
        } catch {
            throw CommandFailure("\(file): cannot load program '\(name)': \(error)")
        }
    }
}
