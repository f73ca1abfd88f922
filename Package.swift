// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "swift-tcx",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftTCX", targets: ["SwiftTCX"]),
        .executable(name: "tcx", targets: ["tcx"]),
        // The modules under the API, for the tools in this repository (Tools/fuzz drives each
        // input parser directly); not a stable interface.
        .library(name: "TCXInternals",
                 targets: ["BPFCore", "BPFVM", "BPFObject", "BPFMaps", "TCRuntime", "Pcap", "TCXScript", "Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // Instructions, kernel constants, the errno vocabulary. Imports nothing.
        .target(name: "BPFCore", swiftSettings: strict),
        // The generic multi-program layer (the kernel's bpf_mprog). Knows nothing of tcx.
        // Imports BPFCore only for the flag bits and errno names, which are mprog's own ABI.
        .target(name: "MultiProg",
                dependencies: ["BPFCore", .product(name: "Atomics", package: "swift-atomics")],
                swiftSettings: strict),
        // The eBPF virtual machine: verifier and interpreter.
        .target(name: "BPFVM", dependencies: ["BPFCore"], swiftSettings: strict),
        // ELF and BTF reading: object file -> program and map specs, relocations.
        .target(name: "BPFObject", dependencies: ["BPFCore"], swiftSettings: strict),
        // BPF maps with the kernel's semantics, safe under concurrent use.
        .target(name: "BPFMaps",
                dependencies: ["BPFCore", .product(name: "Atomics", package: "swift-atomics")],
                swiftSettings: strict),
        // tc programs at run time: the __sk_buff context, the packet, and the tc helpers.
        .target(name: "TCRuntime", dependencies: ["BPFCore", "BPFVM", "BPFMaps", "BPFObject", "CBPFSys"], swiftSettings: strict),
        // The API both backends implement.
        .target(name: "TCX", dependencies: ["BPFCore"], swiftSettings: strict),
        // The embedded backend.
        .target(name: "Engine",
                dependencies: ["TCX", "MultiProg", "BPFVM", "BPFCore", "BPFMaps", "TCRuntime",
                               .product(name: "Atomics", package: "swift-atomics"),
                               .product(name: "HeapModule", package: "swift-collections")],
                swiftSettings: strict),
        // bpf(2) is a variadic syscall: Swift cannot call it directly.
        .target(name: "CBPFSys"),
        // The kernel backend.
        .target(name: "LinuxKernel",
                dependencies: ["TCX", "BPFCore", "CBPFSys",
                               .product(name: "SystemPackage", package: "swift-system")],
                swiftSettings: strict),
        // The tcx script language.
        .target(name: "TCXScript", dependencies: ["TCX", "BPFObject", "BPFCore"], swiftSettings: strict),
        // Random scenarios and world snapshots: checks one backend's rules against another's.
        .target(name: "TCXConformance", dependencies: ["TCX", "BPFCore", "TCXScript"], swiftSettings: strict),
        // pcap files in and out (tcpdump and tshark read what it writes).
        .target(name: "Pcap", swiftSettings: strict),
        // `tcx net show`: every device with its hooks and attachments, on either backend.
        .target(name: "TCXNet", dependencies: ["TCX", "BPFCore", "LinuxKernel"], swiftSettings: strict),
        // `tcx replay`: an attach plan, a capture pushed through it, per-device captures and a report.
        .target(name: "TCXReplay", dependencies: ["BPFCore", "Engine", "TCX", "TCXScript", "Pcap"], swiftSettings: strict),
        // What applications import.
        .target(name: "SwiftTCX", dependencies: ["TCX", "Engine", "LinuxKernel", "BPFObject", "TCXScript"], swiftSettings: strict),
        .executableTarget(name: "tcx",
                          dependencies: ["SwiftTCX", "Engine", "LinuxKernel", "TCXScript", "TCXConformance", "TCXNet", "TCXReplay", "Pcap", "BPFVM", "BPFCore",
                                         .product(name: "Atomics", package: "swift-atomics"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: strict),

        // A private piece of machine for host-scope tests: mount namespace, named netns, bpffs.
        .target(name: "KernelTestHarness", dependencies: ["CBPFSys"], path: "Tests/KernelTestHarness", swiftSettings: strict),
        .testTarget(name: "MultiProgTests", dependencies: ["MultiProg", "BPFCore"], swiftSettings: strict),
        .testTarget(name: "EngineTests", dependencies: ["SwiftTCX", "Engine", "TCX", "BPFCore", "TCXScript", "TCXConformance",
                                                         .product(name: "Atomics", package: "swift-atomics")], swiftSettings: strict),
        .testTarget(name: "TCXScriptTests", dependencies: ["TCXScript", "SwiftTCX"], swiftSettings: strict),
        .testTarget(name: "LinuxKernelTests", dependencies: ["LinuxKernel", "SwiftTCX", "Engine", "TCXScript", "TCXConformance", "KernelTestHarness"], swiftSettings: strict),
        .testTarget(name: "BPFVMTests", dependencies: ["BPFVM", "BPFCore"], swiftSettings: strict),
        .testTarget(name: "PcapTests", dependencies: ["Pcap"], swiftSettings: strict),
        .testTarget(name: "TCXNetTests", dependencies: ["TCXNet", "SwiftTCX", "LinuxKernel"], swiftSettings: strict),
        .testTarget(name: "BPFObjectTests", dependencies: ["BPFObject", "BPFCore"], swiftSettings: strict),
        .testTarget(name: "BPFMapsTests", dependencies: ["BPFMaps", "BPFCore"], swiftSettings: strict),
        .testTarget(name: "TCRuntimeTests", dependencies: ["TCRuntime", "BPFVM", "BPFMaps", "BPFCore", "BPFObject"], swiftSettings: strict),
        .testTarget(name: "ReplayTests", dependencies: ["TCXReplay", "Engine", "TCX", "TCXScript", "Pcap"],
                    exclude: ["programs"], swiftSettings: strict),
        // The built `tcx` binary run as a user would (kernel parts root only).
        .testTarget(name: "CLITests", dependencies: ["tcx", "SwiftTCX", "LinuxKernel", "KernelTestHarness"], swiftSettings: strict),
        // The VM against the kernel's BPF_PROG_TEST_RUN (root only; skips otherwise).
        .testTarget(name: "VMDifferentialTests", dependencies: ["BPFVM", "BPFCore", "BPFMaps", "LinuxKernel", "TCRuntime", "TCX"], swiftSettings: strict),
    ]
)
