extension MapType {
    /// BPF_MAP_TYPE_USER_RINGBUF: a ring userspace produces into and programs drain.
    public static let userRingbuf = MapType(rawValue: 31)
}

extension MapType {
    /// BPF_MAP_TYPE_TASK_STORAGE: a value per task.
    public static let taskStorage = MapType(rawValue: 29)
    /// BPF_MAP_TYPE_CGRP_STORAGE: a value per cgroup.
    public static let cgrpStorage = MapType(rawValue: 32)
    /// BPF_MAP_TYPE_STACK_TRACE: stacks by id, filled by tracing programs.
    public static let stackTrace = MapType(rawValue: 7)
    /// BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE: a value per cgroup and attach type.
    public static let cgroupStorage = MapType(rawValue: 19)
    public static let percpuCgroupStorage = MapType(rawValue: 21)
    /// BPF_MAP_TYPE_INODE_STORAGE: a value per inode.
    public static let inodeStorage = MapType(rawValue: 28)
}

extension MapType {
    /// Userspace reads and writes a value per possible CPU (each padded to 8 bytes).
    public var isPerCPU: Bool {
        self == .percpuHash || self == .percpuArray || self == .lruPercpuHash || self == .percpuCgroupStorage
    }
}
