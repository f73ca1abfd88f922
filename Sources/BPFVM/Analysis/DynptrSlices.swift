/// Memory a dynptr gave ends when the kernel ends it, as Linux 6.18 does (measured in
/// Tests/Fixtures/verifier/dynptr_slices.c): `bpf_dynptr_data`'s when its dynptr's stack slots
/// are written over or a dynptr is made there again (the slice's dynptr_id,
/// destroy_if_dynptr_stack_slot); `bpf_dynptr_slice`'s of a packet's dynptr
/// (`bpf_dynptr_from_skb`'s and its clones') when the packet may move (clear_all_pkt_pointers: a
/// helper changing packet data, `bpf_dynptr_write` to such a dynptr). The kernel ends neither
/// otherwise: a store over the dynptr leaves `bpf_dynptr_slice`'s memory, a pull leaves
/// `bpf_dynptr_data`'s. An ended slice is a number, as the kernel's mark_reg_invalid makes it to
/// a privileged loader, so a later access is refused ("invalid mem access 'scalar'").
/// A dynptr holding a reference cannot be written over (DynptrReferences); releasing it ends
/// its memory through that reference.
enum DynptrSlices {
    /// What ends a slice: a write to its dynptr's place (`bpf_dynptr_data`'s), the packet
    /// moving (`bpf_dynptr_slice`'s of a packet's dynptr).
    enum Origin: Hashable {
        case place(StackPlace)
        case packet
    }

    /// A dynptr was made at `pointer` (a packet's when `packet`): the dynptr that was there, if
    /// any, is gone, and so are its slices.
    static func created(_ pointer: AbstractValue, packet: Bool, _ state: inout PathState) {
        guard let place = DynptrSlots.place(pointer, state) else { return }
        written(frame: place.frame, offset: -8 * (place.slot + 1), size: 16, &state)
        if packet { state.packetDynptrs.insert(place) } else { state.packetDynptrs.remove(place) }
    }

    /// Whether the dynptr at `pointer` is a packet's.
    static func isPacket(_ pointer: AbstractValue, _ state: PathState) -> Bool {
        guard let place = DynptrSlots.place(pointer, state) else { return false }
        return state.packetDynptrs.contains(place)
    }

    /// `bpf_dynptr_data` gave `slice` (its result, before any NULL check) from the dynptr at `pointer`.
    static func data(_ slice: AbstractValue, from pointer: AbstractValue, _ state: inout PathState) {
        guard case .memory = slice.kind, slice.id != 0, let place = DynptrSlots.place(pointer, state) else { return }
        state.dynptrSlices[slice.id] = .place(place)
    }

    /// `bpf_dynptr_slice` gave `slice` from the dynptr at `pointer`.
    static func slice(_ slice: AbstractValue, from pointer: AbstractValue, _ state: inout PathState) {
        guard case .memory = slice.kind, slice.id != 0, isPacket(pointer, state) else { return }
        state.dynptrSlices[slice.id] = .packet
    }

    /// A store of `size` bytes at `offset` from `base`: the slices of every dynptr it touches end.
    /// At a variable offset, those of every dynptr of the frame it may reach.
    static func stored(to base: AbstractValue, offset: Int, size: Int, _ state: inout PathState) {
        guard case .stack(let frame) = base.kind, frame <= state.frame, !state.dynptrSlices.isEmpty else { return }
        if base.range.constant == 0 {
            written(frame: frame, offset: base.offset + offset, size: size, &state)
        } else {
            end(state.dynptrSlices.filter { if case .place(let place) = $0.value { place.frame == frame } else { false } }.keys, &state)
        }
    }

    /// The packet may have moved: every slice of a packet's dynptr ends.
    static func packetMoved(_ state: inout PathState) {
        end(state.dynptrSlices.filter { $0.value == .packet }.keys, &state)
    }

    /// Bytes `[offset, offset + size)` of `frame` were written: the slices of the dynptrs there end.
    private static func written(frame: Int, offset: Int, size: Int, _ state: inout PathState) {
        let touched = state.dynptrSlices.filter { _, origin in
            guard case .place(let place) = origin, place.frame == frame else { return false }
            // A dynptr's first 8 bytes are slot `place.slot`, its second the slot above.
            let bottom = -8 * (place.slot + 1), top = bottom + 16
            return offset < top && offset + size > bottom
        }
        end(touched.keys, &state)
    }

    private static func end(_ ids: some Collection<Int>, _ state: inout PathState) {
        guard !ids.isEmpty else { return }
        let ended = Set(ids)
        for id in ended { state.dynptrSlices[id] = nil }
        state.updateAll { value in
            if case .memory = value.kind, ended.contains(value.id) { value = .scalar(.unknown) }
        }
    }
}
