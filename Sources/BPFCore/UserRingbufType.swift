extension MapType {
    /// BPF_MAP_TYPE_USER_RINGBUF: a ring userspace produces into and programs drain.
    public static let userRingbuf = MapType(rawValue: 31)
}
