/// A map whose slots may run an XDP program (DEVMAP, DEVMAP_HASH, CPUMAP). The kernel holds
/// the program while a slot names it and lets go when the slot is emptied or given another,
/// or the map is freed; the world keeps that count, asking what each slot holds.
public protocol SlotProgramMap: AnyObject {
    /// The id of the program slot `key` runs; 0 for none or no such slot.
    func slotProgram(key: [UInt8]) -> UInt32
    /// The id of every slot's program, once per slot that has one.
    var slotPrograms: [UInt32] { get }
}

extension DeviceMap: SlotProgramMap {
    public func slotProgram(key: [UInt8]) -> UInt32 {
        guard key.count == 4 else { return 0 }
        return programIDs(only: key.withPointer { $0.loadUnaligned(as: UInt32.self) }).first ?? 0
    }

    public var slotPrograms: [UInt32] { programIDs(only: nil) }
}

extension CPUMap: SlotProgramMap {
    public func slotProgram(key: [UInt8]) -> UInt32 {
        guard key.count == 4 else { return 0 }
        return programIDs(only: key.withPointer { $0.loadUnaligned(as: UInt32.self) }).first ?? 0
    }

    public var slotPrograms: [UInt32] { programIDs(only: nil) }
}
