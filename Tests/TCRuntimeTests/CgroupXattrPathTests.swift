import BPFMaps
import Testing

/// Where the embedded backend finds its cgroups (`bpf_cgroup_read_xattr` reads their attributes, the cgroup ids are their inodes): the
/// cgroup v2 directories from the mount (wherever /proc/self/mountinfo puts it, as on a hybrid
/// machine where /sys/fs/cgroup holds the v1 hierarchies) down to this process's cgroup.
@Suite struct CgroupXattrPathTests {
    static let hybrid = """
        25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw
        34 25 0:28 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
        41 34 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw
        42 34 0:39 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        """

    @Test func theRootCgroupIsTheMount() {
        #expect(CgroupDirectory.processDirectories(mountinfo: Self.hybrid, cgroup: "9:name=systemd:/\n0::/\n")
                == ["/sys/fs/cgroup/unified"])
    }

    @Test func eachLevelOfTheProcessPath() {
        let unified = "29 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
        #expect(CgroupDirectory.processDirectories(mountinfo: unified, cgroup: "0::/system.slice/tcx.service\n")
                == ["/sys/fs/cgroup", "/sys/fs/cgroup/system.slice", "/sys/fs/cgroup/system.slice/tcx.service"])
        // Mounted at / (inside a container): no doubled slash.
        #expect(CgroupDirectory.processDirectories(mountinfo: "1 0 0:26 / / rw - cgroup2 none rw\n", cgroup: "0::/a\n") == ["/", "/a"])
    }

    @Test func noV2MountOrLineReadsNothing() {
        // A v1 hierarchy named cgroup2 in its options only, and a separator too early, are no mount.
        let v1Only = "42 34 0:39 / /sys/fs/cgroup/cpu rw - cgroup cgroup2 rw\n7 1 0:2 - cgroup2 x rw\n"
        #expect(CgroupDirectory.processDirectories(mountinfo: v1Only, cgroup: "0::/\n").isEmpty)
        #expect(CgroupDirectory.processDirectories(mountinfo: Self.hybrid, cgroup: "9:name=systemd:/\n").isEmpty)
    }

    @Test func aMountShowingASubTreeTakesThePathBelowItsRoot() {
        // A cgroup namespace or bind mount of /kubepods at /sys/fs/cgroup.
        let sub = "29 1 0:26 /kubepods /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
        #expect(CgroupDirectory.processDirectories(mountinfo: sub, cgroup: "0::/kubepods/pod1\n")
                == ["/sys/fs/cgroup", "/sys/fs/cgroup/pod1"])
        #expect(CgroupDirectory.processDirectories(mountinfo: sub, cgroup: "0::/elsewhere\n").isEmpty)
    }
}
