import BPFCore
import SwiftTCX
import Testing

/// `bpf_wq` in tc programs (corpus/maps/wq_refused.c) on every backend this machine has: each
/// refused program is refused with the kernel's errno and the words of Linux 6.18's verifier
/// log (recorded with `tcx script --backend kernel --explain`), the others load. The kfuncs'
/// answers at run time are corpus/maps/wq.tcx's.
@Suite struct WorkqueueTests {
    static let backends = TestBackends.available
    static let object = TestBackends.fixture("corpus/maps/wq_refused.o")

    /// Program, errno (nil: it loads) and the verifier's words.
    static let expected: [(String, LinuxErrno?, String)] = [
        ("set_callback", .EPERM, "sleepable callback in a program that is not sleepable"),
        ("callback_unreached", nil, ""),
        ("off_field", .EINVAL, "off 24 doesn't point to 'struct bpf_wq' that is at 8"),
        ("other_map", .EINVAL, "workqueue pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0"),
        ("not_a_map", .EINVAL, "pointer in R2 isn't map pointer"),
        ("stack_wq", .EINVAL, "arg#0 doesn't point to a map value"),
        ("no_wq_field", .EINVAL, "map 'plain' has no valid bpf_wq"),
        ("legacy_map", .EINVAL, "map 'legacy_works' has to have BTF in order to use bpf_wq"),
        ("fine", nil, ""),
    ]

    @Test(arguments: backends) func refusalsAreTheKernels(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        for (name, errno, words) in Self.expected {
            do {
                _ = try collection.program(name)
                #expect(errno == nil, "\(name) loaded on \(backend); the kernel refuses it")
            } catch {
                #expect(error.errno == errno, "\(name) on \(backend): \(error.reason)")
                #expect(error.reason.contains(words), "\(name) on \(backend): \(error.reason)")
            }
        }
    }

    /// The kfuncs at run time: `fine` inits then starts the same workqueue; with no callback
    /// possible the start is EINVAL on every run, and the element stays initialised (a second
    /// run's init is EBUSY, which `callback_unreached` returns).
    @Test(arguments: backends) func startWithoutCallbackIsEINVAL(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.object, in: world)
        let fine = try collection.program("fine")
        let again = try collection.program("callback_unreached")
        let packet = [UInt8](repeating: 0, count: 14)
        func errno(_ out: Int32) -> String { out < 0 ? LinuxErrno(rawValue: -out).name : "\(out)" }
        let first = try fine.testRun(packet: packet).returnValue
        let second = try again.testRun(packet: packet).returnValue
        #expect(errno(Int32(bitPattern: first)) == "EINVAL")
        #expect(errno(Int32(bitPattern: second)) == "EBUSY")
    }
}
