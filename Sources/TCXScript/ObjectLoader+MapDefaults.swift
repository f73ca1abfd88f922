import BPFCore

extension LoadedObject {
    /// What libbpf fills in before BPF_MAP_CREATE: a perf event array declared without
    /// max_entries gets one slot per possible CPU.
    static func withLibbpfDefaults(_ spec: MapSpec, possibleCPUs: Int) -> MapSpec {
        var spec = spec
        if spec.type == .perfEventArray, spec.maxEntries == 0 {
            spec.maxEntries = UInt32(clamping: possibleCPUs)
        }
        return spec
    }
}
