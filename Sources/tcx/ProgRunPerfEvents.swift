import BPFCore
import SwiftTCX
import TCXScript

/// `tcx prog run … --perf-events MAP`: a reader on the object's perf event array, opened before
/// the run as libbpf's perf_buffer would be, and what it read printed after the run.
struct ProgRunPerfEvents {
    private let rings: any PerfEventRings

    /// Opens the rings (8 pages a CPU, libbpf's usual size) on the map called `name`.
    init(_ name: String, of loaded: LoadedObject, in system: any BPFObjectSystem) throws {
        guard let index = loaded.spec.maps.firstIndex(where: { $0.name == name }) else {
            let names = loaded.spec.maps.map(\.name).joined(separator: ", ")
            throw CommandFailure("--perf-events \(name): the object has no map of that name (it has: \(names))")
        }
        guard let reading = system as? any PerfEventReading else {
            throw CommandFailure("--perf-events: this backend has no perf event reader")
        }
        do {
            rings = try reading.openPerfEventRings(map: loaded.maps[index], pagesPerCPU: 8)
        } catch {
            throw CommandFailure("--perf-events \(name): \(error)")
        }
    }

    /// Every record, then the rings closed: `perf sample cpu N: HEX` and `perf lost cpu N: COUNT`.
    func finish() -> [PerfEventRecord] {
        defer { rings.close() }
        return rings.read()
    }

    static func lines(_ records: [PerfEventRecord]) -> String {
        records.map { record in
            switch record {
            case .sample(let cpu, let bytes): "perf sample cpu \(cpu): \(hex(bytes))\n"
            case .lost(let cpu, let count): "perf lost cpu \(cpu): \(count)\n"
            }
        }.joined()
    }

    static func json(_ records: [PerfEventRecord]) -> String {
        let items = records.map { record in
            switch record {
            case .sample(let cpu, let bytes): "{\"cpu\":\(cpu),\"data\":\"\(hex(bytes))\"}"
            case .lost(let cpu, let count): "{\"cpu\":\(cpu),\"lost\":\(count)}"
            }
        }
        return "\"perf_events\":[" + items.joined(separator: ",") + "]"
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
