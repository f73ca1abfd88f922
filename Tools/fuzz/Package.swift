// swift-tools-version: 6.0
import PackageDescription

// Coverage-guided fuzz targets (libFuzzer) for every input parser of swift-tcx. Its own package
// so the instrumented build has its own .build and never touches the main one; see README.md.
// Each target is a file with `@_cdecl("LLVMFuzzerTestOneInput")` and no `main`: libFuzzer's
// runtime, linked by `--sanitize=fuzzer`, brings the process's `main`.
let internals: [Target.Dependency] = [.product(name: "TCXInternals", package: "swift-tcx")]
let fuzzTarget: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"]), .swiftLanguageMode(.v5)]

let package = Package(
    name: "tcx-fuzz",
    dependencies: [.package(name: "swift-tcx", path: "../..")],
    targets: [
        // ELF -> BTF -> BTF.ext/CO-RE -> maps -> programs, as `tcx prog … load` reads an object.
        .executableTarget(name: "FuzzObject",
                          dependencies: internals + [.product(name: "SwiftTCX", package: "swift-tcx")],
                          swiftSettings: fuzzTarget),
        // A script's text parsed and run on the embedded backend (map key/value text included).
        .executableTarget(name: "FuzzScript",
                          dependencies: internals + [.product(name: "SwiftTCX", package: "swift-tcx")],
                          swiftSettings: fuzzTarget),
        // pcap and pcapng captures, every record read and dissected.
        .executableTarget(name: "FuzzPcap", dependencies: internals, swiftSettings: fuzzTarget),
        // Hostile bytecode: the verifier, the interpreter and the JIT; and a program type loaded
        // with the run-time checks only, so the helpers see hostile registers.
        .executableTarget(name: "FuzzBytecode", dependencies: internals, swiftSettings: fuzzTarget),
        // The same bytecode on the JIT and on the interpreter: any difference in r0, fault,
        // packet, skb fields, maps or trace lines traps.
        .executableTarget(name: "FuzzJITDifferential", dependencies: internals, swiftSettings: fuzzTarget),
    ]
)
