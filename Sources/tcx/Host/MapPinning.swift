import LinuxKernel
import SwiftTCX

/// `--pin-maps DIR`: every map of an object pinned as DIR/NAME, so `tcx map … --pinned` can
/// read what the attached program counts after the command has exited.
struct MapPinning {
    private(set) var pinned: [PinPath] = []
    let world: KernelSystem

    /// Pins every map; if one fails, those already pinned are removed again.
    static func pinAll(of collection: borrowing ObjectCollection, in directory: String,
                       world: KernelSystem) throws -> MapPinning {
        var pins = MapPinning(world: world)
        do {
            for name in collection.mapNames {
                let path = try world.newPinPath(directory + "/" + name)
                let map = try collection.map(name)
                try map.pin(at: path)
                pins.pinned.append(path)
            }
        } catch {
            pins.undo()
            throw CommandFailure("--pin-maps \(directory): \(error)")
        }
        return pins
    }

    /// Removes the pins again, for a command that failed after making them.
    func undo() {
        for path in pinned { try? world.unpin(path) }
    }
}
