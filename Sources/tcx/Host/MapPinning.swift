import LinuxKernel
import SwiftTCX

/// `--pin-maps DIR`: every map of an object pinned as DIR/NAME, so `tcx map … --pinned` can
/// read what the attached program counts after the command has exited.
enum MapPinning {
    static func pinAll(of collection: borrowing ObjectCollection, in directory: String, world: KernelSystem) throws {
        do {
            for name in collection.mapNames {
                let map = try collection.map(name)
                try map.pin(at: world.newPinPath(directory + "/" + name))
            }
        } catch {
            throw CommandFailure("--pin-maps \(directory): \(error)")
        }
    }
}
