/// The two map-in-map types: their values are references to other maps (an fd on update, the
/// inner map's id on userspace lookup, the inner map itself in a program).
extension MapType {
    public static let arrayOfMaps = MapType(rawValue: 12)
    public static let hashOfMaps = MapType(rawValue: 13)
}
