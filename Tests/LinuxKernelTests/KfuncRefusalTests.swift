import BPFCore
import Engine
import LinuxKernel
import TCX
import TCXScript
import Testing

/// The kfunc and extern refusals of `corpus/kfunc/refused.o`, on both backends: the same errno,
/// and both errors carry the kernel's words (the kernel backend's from its verifier log).
@Suite(needsKernel)
struct KfuncRefusalTests {
    static let cases: [(program: String, errno: LinuxErrno, words: [String])] = [
        ("strong_missing", .ESRCH, ["bpf_tcx_strong_kfunc_nobody_has"]),
        ("weak_unguarded", .EINVAL, ["invalid func unknown#200200000", "insn 1 calls weak kfunc 'bpf_tcx_kfunc_nobody_has'"]),
        ("kconfig_missing", .ESRCH, ["extern 'CONFIG_TCX_NOT_A_REAL_OPTION' (strong): not resolved"]),
        ("not_for_tc", .EACCES, ["calling kernel function bpf_sock_destroy is not allowed"]),
        ("slice_unchecked", .EACCES, ["R0 invalid mem access 'rdonly_mem_or_null'"]),
        ("slice_rdwr", .EPERM, ["bpf_dynptr_slice_rdwr() is not allowed"]),
        ("iterator_leaked", .EINVAL, ["Unreleased reference"]),
        ("iterator_uninitialized", .EINVAL, ["expected an initialized iter_num as arg #0"]),
        ("iterator_twice", .EINVAL, ["expected uninitialized iter_num as arg #0"]),
        ("dynptr_uninitialized", .EINVAL, ["Expected an initialized dynptr as arg #0"]),
        ("dynptr_overwritten", .EINVAL, ["Expected an initialized dynptr as arg #0"]),
        ("slice_written", .EACCES, ["R0 cannot write into rdonly_mem"]),
        ("iterator_value_written", .EACCES, ["R0 cannot write into rdonly_mem"]),
        ("rcu_held", .EINVAL, ["BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region"]),
    ]

    /// Why `program` of a fixture object is refused on `system`, or nil when it loads.
    static func refusal(_ system: any BPFObjectSystem, _ program: String, in fixture: String = "corpus/kfunc/refused.o") throws -> TCXError? {
        let name = String(fixture.split(separator: "/").last ?? Substring(fixture))
        let object = try LoadedObject(bytes: try KernelBTFTests.bytes(fixture), name: name, system: system)
        defer { object.close() }
        do {
            let handle = try object.loadProgram(program, as: program)
            try? system.close(handle)
            return nil
        } catch {
            return error
        }
    }

    @Test func eachProgramIsRefusedAloneAsTheKernelRefusesIt() throws {
        let engine = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            engine.shutdown()
            kernel.shutdown()
        }
        for (program, errno, words) in Self.cases {
            for system in [engine, kernel] as [any BPFObjectSystem] {
                let error = try Self.refusal(system, program)
                #expect(error?.errno == errno, "\(system.backendName) \(program): \(String(describing: error))")
                for word in words {
                    #expect(error?.reason.contains(word) == true, "\(system.backendName) \(program): \(String(describing: error))")
                }
            }
        }
        // The object's clean program loads on both.
        #expect(try Self.refusal(engine, "fine") == nil)
        #expect(try Self.refusal(kernel, "fine") == nil)
    }

    /// XDP programs are refused the kfuncs the kernel refuses to XDP, in its words, whether the
    /// embedded backend has the kfunc (the skb dynptrs) or not (`bpf_sk_assign_tcp_reqsk`).
    @Test func xdpProgramsAreRefusedTheKfuncsTheKernelRefusesToXDP() throws {
        let engine = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            engine.shutdown()
            kernel.shutdown()
        }
        let refused = [("skb_dynptr", "bpf_dynptr_from_skb"), ("skb_meta_dynptr", "bpf_dynptr_from_skb_meta"),
                       ("tcp_reqsk", "bpf_sk_assign_tcp_reqsk")]
        for system in [engine, kernel] as [any BPFObjectSystem] {
            for (program, kfunc) in refused {
                let error = try Self.refusal(system, program, in: "verifier/xdp_kfuncs.o")
                #expect(error?.errno == .EACCES, "\(system.backendName) \(program): \(String(describing: error))")
                #expect(error?.reason.contains("calling kernel function \(kfunc) is not allowed") == true,
                        "\(system.backendName) \(program): \(String(describing: error))")
            }
            #expect(try Self.refusal(system, "count_to_four", in: "verifier/xdp_kfuncs.o") == nil)
            #expect(try Self.refusal(system, "string_length", in: "verifier/xdp_kfuncs.o") == nil)
        }
    }
}
