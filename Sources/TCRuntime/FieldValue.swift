import BPFMaps
import BPFVM

/// The map value a special field (`bpf_timer`, `bpf_wq`) lives in, from the field's address.
enum FieldValue {
    /// The value of `map` whose `name` field (at `offset` in it) is at `field`. The kernel
    /// verifier lets only that field of a map value through, and what the field does later
    /// needs the whole value, so anything else is a fault here.
    static func value(_ call: inout HelperCall, field address: UInt64, at offset: UInt32?, of map: BPFMap,
                      _ name: String) -> UnsafeMutableRawPointer? {
        guard let offset else {
            call.failure = "\(name): map \(map.spec.name) has no \(name) in its value (the kernel needs the map's BTF)"
            return nil
        }
        guard address >= UInt64(offset),
              let bytes = call.memory(at: address - UInt64(offset), count: map.valueSize, write: true, "\(name)'s map value"),
              let value = bytes.baseAddress else { return nil }
        let owned: Bool
        if let array = map as? ArrayMap {
            owned = array.valueIndex(of: value) != nil
        } else if let hash = map as? HashMap {
            owned = hash.key(ofValue: value) != nil
        } else {
            owned = false
        }
        guard owned else {
            call.failure = "\(name): 0x\(String(address, radix: 16)) is not the \(name) of a value of map \(map.spec.name)"
            return nil
        }
        return value
    }
}
