import BPFCore
@testable import BPFMaps
import Testing

/// SK_STORAGE's create rules; every errno measured with raw BPF_MAP_CREATE on Linux 6.18 (root, BTF
/// key and value of type `int`). A spec the kernel accepts makes an `SKStorageMap`.
struct SKStorageCreateTests {
    struct Case: CustomStringConvertible, Sendable {
        let label: String
        let key: UInt32, value: UInt32, max: UInt32, flags: UInt32
        let keyID: UInt32, valueID: UInt32
        let expected: LinuxErrno?
        var description: String { label }
    }

    static let cases: [Case] = [
        Case(label: "accepted by the kernel", key: 4, value: 4, max: 0, flags: 1, keyID: 1, valueID: 1, expected: nil),
        Case(label: "BPF_F_CLONE", key: 4, value: 4, max: 0, flags: 0x201, keyID: 1, valueID: 1, expected: nil),
        Case(label: "no BPF_F_NO_PREALLOC", key: 4, value: 4, max: 0, flags: 0, keyID: 1, valueID: 1, expected: .EINVAL),
        Case(label: "BPF_F_RDONLY", key: 4, value: 4, max: 0, flags: 0x9, keyID: 1, valueID: 1, expected: .EINVAL),
        Case(label: "max_entries 1", key: 4, value: 4, max: 1, flags: 1, keyID: 1, valueID: 1, expected: .EINVAL),
        Case(label: "key 8", key: 8, value: 4, max: 0, flags: 1, keyID: 1, valueID: 1, expected: .EINVAL),
        Case(label: "value 0", key: 4, value: 0, max: 0, flags: 1, keyID: 1, valueID: 1, expected: .EINVAL),
        Case(label: "no BTF", key: 4, value: 4, max: 0, flags: 1, keyID: 0, valueID: 0, expected: .EINVAL),
        Case(label: "no BTF key", key: 4, value: 4, max: 0, flags: 1, keyID: 0, valueID: 1, expected: .EINVAL),
        Case(label: "no BTF value", key: 4, value: 4, max: 0, flags: 1, keyID: 1, valueID: 0, expected: .EINVAL),
        Case(label: "value 65407 passes the size check", key: 4, value: 65407, max: 0, flags: 1, keyID: 1, valueID: 1, expected: nil),
        Case(label: "value 65408", key: 4, value: 65408, max: 0, flags: 1, keyID: 1, valueID: 1, expected: .E2BIG),
        Case(label: "value 70000", key: 4, value: 70000, max: 0, flags: 1, keyID: 1, valueID: 1, expected: .E2BIG),
    ]

    @Test(arguments: cases)
    func create(_ c: Case) {
        var spec = MapSpec(name: "m", type: .skStorage, keySize: c.key, valueSize: c.value, maxEntries: c.max, flags: c.flags)
        spec.btfKeyTypeID = c.keyID
        spec.btfValueTypeID = c.valueID
        #expect(errno { try spec.validate(possibleCPUs: 2) } == c.expected)
        if c.expected == nil { #expect((try? BPFMap.create(spec, possibleCPUs: 2)) is SKStorageMap) }
    }
}
