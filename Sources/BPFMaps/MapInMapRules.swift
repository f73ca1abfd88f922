import BPFCore

/// The kernel's rules for maps of maps (ARRAY_OF_MAPS, HASH_OF_MAPS), each on its own, with the
/// errno the kernel gives (recorded on Linux 6.18 in a namespace of our own).
/// Creation checks the outer map's attributes first (all EINVAL), then its inner template;
/// a map stored later must match that template.
public enum MapInMapRules {
    /// BPF_F_INNER_MAP on the template: inner maps may then differ from it in max_entries.
    public static let innerMapFlag: UInt32 = 0x1000

    /// The outer map's own attributes: an fd (4 bytes) as value, and for the array the prog
    /// array's rules (4-byte key, no NO_PREALLOC, no *_PROG access flags), for the hash the
    /// plain hash's rules. Checked before the template, so a bad value size with a bad inner
    /// fd is EINVAL, not EBADF.
    public static func validateOuter(_ spec: MapSpec) throws(MapError) {
        guard spec.type == .arrayOfMaps || spec.type == .hashOfMaps else {
            throw MapError(.EINVAL, "\(spec.type) is not a map of maps")
        }
        guard spec.valueSize == 4 else {
            throw MapError(.EINVAL, "a map of maps holds 4-byte map fds, not \(spec.valueSize)-byte values")
        }
        // The kernel shares these checks with the fd array and the hash, so reuse them.
        var shape = spec
        shape.type = spec.type == .arrayOfMaps ? .progArray : .hash
        try shape.validate(possibleCPUs: 1)
    }

    /// All of creation: the outer map's attributes, then its template, which must itself be a
    /// map that could exist (on the kernel it is one, passed by fd), then whether it may serve.
    static func validateCreation(_ spec: MapSpec, possibleCPUs: Int) throws(MapError) {
        try validateOuter(spec)
        guard let template = spec.innerMap else {
            throw MapError(.EINVAL, "a map of maps needs an inner map (inner_map_fd) as its template")
        }
        try template.validate(possibleCPUs: possibleCPUs)
        try validateTemplate(template)
    }

    /// Whether a map may serve as the inner template: not itself a map of maps (EINVAL: one
    /// level only), and of a type the kernel can compare (a prog array cannot: ENOTSUPP).
    public static func validateTemplate(_ template: MapSpec) throws(MapError) {
        if template.type == .arrayOfMaps || template.type == .hashOfMaps {
            throw MapError(.EINVAL, "a map of maps cannot be the inner map of another")
        }
        if template.type == .progArray {
            throw MapError(.ENOTSUPP, "a prog array cannot be an inner map")
        }
    }

    /// Whether `inner` may be stored in a map of maps made with `template`: same type, key and
    /// value size, flags (but for userspace access), and max_entries unless the template is BPF_F_INNER_MAP (all EINVAL).
    public static func checkCompatible(template: MapSpec, inner: MapSpec) throws(MapError) {
        guard inner.type == template.type else {
            throw MapError(.EINVAL, "inner map is a \(inner.type), the template a \(template.type)")
        }
        guard inner.keySize == template.keySize, inner.valueSize == template.valueSize else {
            throw MapError(.EINVAL, "inner map key/value sizes differ from the template's")
        }
        // BPF_F_RDONLY and BPF_F_WRONLY say what userspace may do through a descriptor, not
        // what the map is: the kernel leaves them out of the comparison (measured).
        let userspaceAccess = MapFlags.rdonly | MapFlags.wronly
        guard inner.flags & ~userspaceAccess == template.flags & ~userspaceAccess else {
            throw MapError(.EINVAL, "inner map flags 0x\(String(inner.flags, radix: 16)) differ from the template's")
        }
        if template.flags & innerMapFlag == 0, inner.maxEntries != template.maxEntries {
            throw MapError(.EINVAL, "inner map max_entries differ from the template's (no BPF_F_INNER_MAP)")
        }
    }

    /// A userspace update of an array of maps, before the fd is resolved: only BPF_ANY
    /// (EINVAL), then an index within max_entries (E2BIG).
    public static func checkArrayUpdate(index: UInt32, maxEntries: UInt32, flags: UInt64) throws(MapError) {
        guard flags == MapUpdateFlags.any else {
            throw MapError(.EINVAL, "an array of maps takes only BPF_ANY")
        }
        guard index < maxEntries else { throw MapError(.E2BIG, "index \(index) is past max_entries \(maxEntries)") }
    }
}

extension MapSpec {
    func validateMapOfMaps(possibleCPUs: Int) throws(MapError) {
        try MapInMapRules.validateCreation(self, possibleCPUs: possibleCPUs)
    }
}
