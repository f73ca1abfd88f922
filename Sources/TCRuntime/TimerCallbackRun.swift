import BPFMaps
import BPFVM

/// One run of a timer's callback, `callback(map, key, value)` as the kernel's bpf_timer_cb
/// calls it: the key of an array value is its index, a hash value's key is the element's own.
/// The callback may touch the key (read-only), the value, and what the helpers it calls hand
/// out; it has no skb, so the run's skb is an empty one nothing reads.
enum TimerCallbackRun {
    static func run(timer: BPFTimer, map: BPFMap, program: VMProgram, callback: UInt64, services: SharedServices,
                    programMaps: ProgramMaps) {
        let key = UnsafeMutableRawBufferPointer.allocate(byteCount: max(8, map.keySize), alignment: 8)
        defer { key.deallocate() }
        key.initializeMemory(as: UInt8.self, repeating: 0)
        if let array = map as? ArrayMap {
            guard let index = array.valueIndex(of: timer.value) else { return }
            key.storeBytes(of: index, as: UInt32.self)
        } else if let hash = map as? HashMap {
            // The element may have gone since the timer fired: then so has the timer.
            guard let bytes = hash.key(ofValue: timer.value) else { return }
            key.copyBytes(from: bytes)
        } else {
            return
        }
        // It has no skb: an empty one nothing reads, held (with the services) for the run.
        let skb = SKBuff(packet: [])
        let run = TCRunPool.take(skb: skb, services: services, type: .schedCLS)
        defer { TCRunPool.give(run) }
        // The program's maps, held for the run: its global data and map values stay mapped.
        run.programMaps = programMaps
        withExtendedLifetime((skb, services, programMaps)) {
            let keyRegion = MemoryRegion(UnsafeMutableRawBufferPointer(rebasing: key[0..<map.keySize]), writable: false)
            run.grant(keyRegion)
            run.grant(MemoryRegion(UnsafeMutableRawBufferPointer(start: timer.value, count: map.valueSize),
                                   writable: map.programWritable))
            let environment = run.environment
            let arguments = [MapRegistry.shared.handle(for: map), keyRegion.base,
                             UInt64(UInt(bitPattern: timer.value))]
            do throws(VMFault) {
                _ = try Interpreter.runCallback(program, entry: Int(callback), arguments: arguments, environment: environment)
            } catch {
                // The kernel verifier lets no callback fault; say so rather than stop the wheel.
                services.value.log("bpf_timer callback faulted: \(error)")
            }
        }
    }
}
