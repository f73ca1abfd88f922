extension MapType {
    /// BPF_MAP_TYPE_CGROUP_ARRAY: slots of cgroup v2 directories.
    public static let cgroupArray = MapType(rawValue: 8)
}
