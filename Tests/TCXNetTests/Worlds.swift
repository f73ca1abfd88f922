import Glibc
import LinuxKernel
import SwiftTCX
import TCXNet
import TCXScript
import Testing

/// Scripts the report tests build worlds with, and the kernel tests' precondition.
enum Worlds {
    /// A veth pair and lo: prog mode and links mixed, a link placed before another.
    static let vethScript = """
        prog tc1 ret next                                        => ok
        prog tc2 ret next                                        => ok
        prog tc3 ret pass                                        => ok
        dev veth0 veth veth1                                     => ok
        attach tc1 veth0 ingress                                 => ok
        link l1 tc2 veth0 ingress                                => ok
        link l2 tc3 veth0 ingress flags=before,link relative=l1  => ok
        attach tc3 lo egress                                     => ok
        """

    /// A netkit pair with a link on each netkit hook and one prog-mode program.
    static let netkitScript = """
        dev nk1 netkit nk0 mode=l2                               => ok
        prog tc1 ret next                                        => ok
        prog tc2 ret next                                        => ok
        link l1 tc1 nk1 primary                                  => ok
        link l2 tc2 nk1 peer                                     => ok
        attach tc1 nk1 peer flags=before                         => ok
        """

    /// A fresh world of `backend` built by `script`; every line must print its expectation.
    static func world(_ backend: Backend, running script: String) throws -> any TCXSystem {
        let world = try backend.openWorld()
        let results = try ScriptFile.run(source: script, path: "net-test.tcx", world: world)
        for result in results where !result.matches { Issue.record("\(result.printed)") }
        return world
    }

    static func device(_ report: NetReport, _ name: String) throws -> NetReport.Device {
        try #require(report.devices.first { $0.name == name })
    }

    static func hook(_ device: NetReport.Device, _ name: String) throws -> NetReport.Hook {
        try #require(device.hooks.first { $0.name == name })
    }

    /// Root, and a kernel that makes worlds; says why not otherwise.
    static let canUseKernel: Bool = {
        guard geteuid() == 0 else {
            print("TCXNetTests: not root, the kernel and host tests are skipped")
            return false
        }
        do {
            try KernelSystem().shutdown()
            return true
        } catch {
            print("TCXNetTests: no kernel world here (\(error)), the kernel and host tests are skipped")
            return false
        }
    }()
}
