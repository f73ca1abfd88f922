import BPFCore
@testable import BPFMaps
import Testing

func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

func make(_ type: MapType, key: UInt32, value: UInt32, max: UInt32, flags: UInt32 = 0, cpus: Int = 2) throws -> BPFMap {
    try BPFMap.create(MapSpec(name: "m", type: type, keySize: key, valueSize: value, maxEntries: max, flags: flags),
                      possibleCPUs: cpus)
}

/// The errno a throwing map call fails with, nil when it succeeds (-1 for an error that is no MapError).
func errno<T>(_ body: () throws -> T) -> LinuxErrno? {
    do { _ = try body() } catch { return (error as? MapError)?.errno ?? LinuxErrno(rawValue: -1) }
    return nil
}
