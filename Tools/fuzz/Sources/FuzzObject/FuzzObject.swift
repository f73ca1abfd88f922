import BPFObject
import SwiftTCX

/// One object file: parsed against the shipped BTF (CO-RE), then loaded as the CLI loads one
/// (`ObjectCollection`: maps created, global data filled, static prog arrays filled) in one
/// embedded world, and every program loaded (verified) and closed. A refusal is fine; a trap,
/// a hang or an unbounded allocation is a finding. The world is shared by every input, so a
/// handle left open shows as growth under -rss_limit_mb.
nonisolated(unsafe) private var world: (any BPFObjectSystem)?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzObject(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ObjectSpec.parse(bytes: bytes, name: "fuzz.o", coreBTF: .shipped)
    if world == nil { world = try? Backend.embedded.openWorld() }
    guard let world else { fatalError("no embedded world") }
    load(bytes, in: world)
    return 0
}

private func load(_ bytes: [UInt8], in world: any BPFObjectSystem) {
    guard let collection = try? ObjectCollection(bytes: bytes, name: "fuzz.o", in: world) else { return }
    for (name, _) in collection.programs {
        _ = try? collection.program(name)
    }
    for name in collection.mapNames {
        _ = try? collection.map(name)
    }
}
