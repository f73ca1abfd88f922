/// `bpf_map_sum_elem_count(const struct bpf_map *map)`: a trusted map pointer, as `&map` gives;
/// a number is refused as the kernel refuses NULL (`Possibly NULL pointer passed to trusted
/// arg0`, EACCES, measured with Tools/kfunc-probe). Other pointers are not followed (the run
/// then faults: "r1 is not a map").
enum MapCountPrototype {
    static func check(at index: Int, _ state: PathState) throws(VMError) {
        let map = state.registers[1]
        if map.kind == .notInit { throw VMError(instruction: index, "R1 !read_ok", errno: .EACCES) }
        if map.isScalar { throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES) }
    }
}
