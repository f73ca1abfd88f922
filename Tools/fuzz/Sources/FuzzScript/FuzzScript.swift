import BPFCore
import SwiftTCX
import TCXScript
#if canImport(Glibc)
import Glibc
#endif

/// One script's text, parsed and run on the embedded backend in a fresh world, as
/// `tcx script -q FILE` runs it. Objects the script names are looked up in TCX_FUZZ_SCRIPT_DIR
/// (Tools/fuzz/run.sh points it at a copy of Tests/Fixtures/scripts, so `../objects/x.o` resolves).
/// Map keys and values written as text (`map-update … KEY VALUE`) go through the same parser.
/// A parse error or an errno answer is fine; a trap, hang or unbounded allocation is a finding.
private let directory: String = getenv("TCX_FUZZ_SCRIPT_DIR").map { String(cString: $0) } ?? "/tmp/tcx-fuzz-work/scripts/embedded"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScript(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let source = String(validating: bytes, as: UTF8.self), !asksForAges(source) else { return 0 }
    guard let world = try? Backend.embedded.openWorld() else { fatalError("no embedded world") }
    defer { world.shutdown() }
    _ = try? ScriptFile.run(source: source, path: directory + "/fuzz.tcx", world: world)
    return 0
}

/// A test-run of billions of repeats is a request the kernel honours too, for hours (as
/// ScriptFuzzTests' `tame` says): such an input is left out rather than reported as a hang.
private func asksForAges(_ source: String) -> Bool {
    var rest = source[...]
    while let range = rest.range(of: "repeat=") {
        let digits = rest[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        if digits.count > 4 || (Int(digits) ?? 0) > 1000 { return true }
        rest = rest[range.upperBound...]
    }
    return false
}
