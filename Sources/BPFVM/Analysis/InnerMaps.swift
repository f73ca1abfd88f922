/// Maps of maps (BPF_MAP_TYPE_ARRAY_OF_MAPS, HASH_OF_MAPS): a lookup gives the inner map,
/// `map_ptr_or_null` until compared with NULL (`AbstractValue.Kind.innerMap`), which may then be
/// looked up in, read through BTF, and nothing else: no arithmetic, no stores.
extension MapShape {
    var isMapOfMaps: Bool { type == 12 || type == 13 }
}
