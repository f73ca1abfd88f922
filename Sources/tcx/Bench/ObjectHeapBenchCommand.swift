import ArgumentParser
import BPFCore
import BPFMaps

#if canImport(Glibc)
import Glibc
#endif

/// `tcx bench objects`: what a final free costs on the shared object heap with many objects
/// stashed elsewhere (map values' kptr fields, list heads and tree roots of other objects): the
/// heap must find what the freed object held without looking at every stash. The last column
/// times the check of a probe load through an untrusted kptr (`ObjectHeap.holds`), which must
/// find the object around an address without looking at every live object.
struct ObjectHeapBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objects",
        abstract: "Time freeing objects on the object heap while N objects are stashed in other values.")

    @Option(parsing: .upToNextOption, help: "Objects stashed in kptr fields (and as many on lists) while freeing.")
    var stashed: [Int] = [0, 1_000, 10_000, 100_000]
    @Option(help: "Objects allocated and freed at each size.")
    var frees = 20_000

    func validate() throws {
        guard stashed.allSatisfy({ $0 >= 0 && $0 <= 1_000_000 }) else { throw ValidationError("--stashed takes 0 to 1000000") }
        guard frees > 0, frees <= 10_000_000 else { throw ValidationError("--frees takes 1 to 10000000") }
    }

    func run() throws {
        print("stashed".padding(10) + "ns/free (an object holding one stashed object)".padding(50)
              + "ns/free (a plain object)".padding(26) + "ns/holds (a probe load)")
        for count in stashed {
            let heap = ObjectHeap.shared
            // The values holding the stashes: one 16-byte slot each, a kptr field then a list head.
            let values = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 16, alignment: 8)
            values.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * 16)
            defer { values.deallocate() }
            var fields: [KptrField] = []
            for index in 0 ..< count {
                guard let object = heap.allocate(size: 24), let listed = heap.allocate(size: 24) else { continue }
                _ = heap.exchange(field: values + index * 16, object: Self.address(object))
                heap.push(Self.address(listed), nodeOffset: 0, onto: Self.address(values + index * 16 + 8), front: false)
            }
            fields.append(KptrField(offset: 0, kind: .referenced, targetTypeID: 1, targetName: "bench"))
            let holding = time {
                guard let holder = heap.allocate(size: 32), let held = heap.allocate(size: 24),
                      let field = holder.baseAddress else { return }
                _ = heap.exchange(field: field + 8, object: Self.address(held))
                heap.free(Self.address(holder))
            }
            let plain = time {
                guard let object = heap.allocate(size: 32) else { return }
                heap.free(Self.address(object))
            }
            let probe = probeTime(heap).map { String(Int($0.rounded())) } ?? "missed (holds answered no)"
            print(String(count).padding(10) + String(Int(holding.rounded())).padding(50)
                  + String(Int(plain.rounded())).padding(26) + probe)
            for index in 0 ..< count {
                heap.dropStashed(in: values + index * 16, fields: fields)
                heap.dropLists(in: values + index * 16, roots: [GraphRoot(offset: 8, kind: .list, containedTypeID: 1,
                                                                          containedName: "bench", nodeOffset: 0)])
            }
        }
    }

    /// Nanoseconds per `holds` of 8 bytes in the middle of a live object, every stashed object
    /// still alive; nil when the heap did not find the object (a timing of a wrong answer
    /// would mean nothing).
    private func probeTime(_ heap: ObjectHeap) -> Double? {
        guard let object = heap.allocate(size: 64) else { return nil }
        defer { heap.free(Self.address(object)) }
        let inside = Self.address(object) + 24
        var found = 0
        let nanoseconds = time { if heap.holds(inside, size: 8) { found += 1 } }
        return found == frees ? nanoseconds : nil
    }

    private static func address(_ object: UnsafeMutableRawBufferPointer) -> UInt64 { UInt64(UInt(bitPattern: object.baseAddress)) }
    private static func address(_ pointer: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: pointer)) }

    /// Nanoseconds of this thread's CPU time per call of `body`, over `frees` calls.
    private func time(_ body: () -> Void) -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
        for _ in 0 ..< frees { body() }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
        let nanoseconds = Double(end.tv_sec - start.tv_sec) * 1e9 + Double(end.tv_nsec - start.tv_nsec)
        return nanoseconds / Double(frees)
    }
}

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
