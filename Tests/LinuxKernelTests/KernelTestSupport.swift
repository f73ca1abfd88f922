import Glibc
import BPFCore
import LinuxKernel
import TCX
import Testing

/// Whether the kernel tests can run here: root, and a kernel that takes a tcx attachment.
enum KernelTestSupport {
    static let canUseKernel: Bool = {
        guard geteuid() == 0 else {
            print("LinuxKernelTests: not root, the kernel backend tests are skipped")
            return false
        }
        do {
            let world = try KernelSystem()
            defer { world.shutdown() }
            let program = try world.loadProgram(.returning(-1, name: "probe"))
            try world.attach(RawAttach(program: program.rawValue, target: loIngress))
            try world.detach(RawDetach(program: program.rawValue, target: loIngress))
            return true
        } catch {
            print("LinuxKernelTests: no tcx on this kernel (\(error)), the kernel backend tests are skipped")
            return false
        }
    }()

    /// The `.tcx` files of a corpus folder under Tests/Fixtures/scripts, sorted.
    static func scripts(in folder: String) -> [String] {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/LinuxKernelTests/KernelTestSupport.swift
        let path = parts.joined(separator: "/") + "/Tests/Fixtures/scripts/" + folder
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var paths: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".tcx") { paths.append(path + "/" + name) }
        }
        return paths.sorted()
    }

    static let loIngress = HookTarget(ifindex: 1, attachType: .tcxIngress)
    static let loEgress = HookTarget(ifindex: 1, attachType: .tcxEgress)

    /// Runs `body` in a fresh world and always shuts it down.
    static func withWorld<T>(_ body: (KernelSystem) throws -> T) throws -> T {
        let world = try KernelSystem()
        defer { world.shutdown() }
        return try body(world)
    }

    /// The errno a call failed with, nil if it succeeded (E0 for an error that is no TCXError).
    static func errno<T>(_ body: () throws -> T) -> LinuxErrno? {
        do {
            _ = try body()
            return nil
        } catch let error as TCXError {
            return error.errno
        } catch {
            return LinuxErrno(rawValue: 0)
        }
    }
}

/// The trait every test that needs the real kernel carries.
let needsKernel = Testing.ConditionTrait.enabled(if: KernelTestSupport.canUseKernel,
                                                  "needs root and a Linux kernel with tcx")
