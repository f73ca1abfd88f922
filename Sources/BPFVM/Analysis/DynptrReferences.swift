/// Dynptrs that hold a reference, as the kernel's refcounted dynptrs (DYNPTR_TYPE_RINGBUF):
/// `bpf_ringbuf_reserve_dynptr` makes one whether or not the reservation succeeds, so the
/// program must submit or discard it ("Unreleased reference" at exit otherwise); a clone shares
/// its reference, and releasing either ends both. Its 16 bytes may not be written over, by a
/// store or by a call making another dynptr there: the kernel would lose the record
/// ("cannot overwrite referenced dynptr", EINVAL, `destroy_if_dynptr_stack_slot`).
/// Dynptr arguments must also sit at a constant stack offset (`dynptr_get_spi`), or the kernel
/// cannot tell which slots hold them ("dynptr has to be at a constant offset", EINVAL).
enum DynptrReferences {
    /// A stack pointer whose offset is not one number, given where a dynptr goes.
    static func requireConstantOffset(_ pointer: AbstractValue, at index: Int) throws(VMError) {
        guard case .stack = pointer.kind, pointer.range.constant == nil else { return }
        throw VMError(instruction: index, "dynptr has to be at a constant offset", errno: .EINVAL)
    }

    /// The referenced dynptr whose bytes `size` bytes at `offset` of `frame` touch, if any.
    static func touched(frame: Int, offset: Int, size: Int, _ state: PathState) -> Int? {
        for (place, reference) in state.dynptrReferences where place.frame == frame {
            // Its first 8 bytes are slot `place.slot`, its second the slot above (slot - 1).
            let bottom = -8 * (place.slot + 1), top = bottom + 16
            if offset < top, offset + size > bottom { return reference }
        }
        return nil
    }

    /// A store into the stack: refused over a referenced dynptr. A store at a variable offset
    /// is refused when any slot it may reach holds one.
    static func checkStore(to base: AbstractValue, offset: Int, size: Int, at index: Int, _ state: PathState) throws(VMError) {
        guard case .stack(let frame) = base.kind, frame <= state.frame, !state.dynptrReferences.isEmpty else { return }
        let overwrites: Bool
        if base.range.constant == 0 {
            overwrites = touched(frame: frame, offset: base.offset + offset, size: size, state) != nil
        } else {
            overwrites = state.dynptrReferences.keys.contains { $0.frame == frame }
        }
        if overwrites {
            throw VMError(instruction: index, "cannot overwrite referenced dynptr", errno: .EINVAL)
        }
    }

    /// Where a call is about to make a dynptr (its uninitialised dynptr argument).
    static func checkCreate(_ pointer: AbstractValue, at index: Int, _ state: PathState) throws(VMError) {
        try requireConstantOffset(pointer, at: index)
        try DynptrSlots.checkPosition(pointer, creates: true, at: index, state)
        guard case .stack(let frame) = pointer.kind, frame <= state.frame,
              touched(frame: frame, offset: pointer.offset, size: 16, state) != nil else { return }
        throw VMError(instruction: index, "cannot overwrite referenced dynptr", errno: .EINVAL)
    }

    /// `bpf_ringbuf_reserve_dynptr` made a dynptr at `pointer`: it holds a new reference.
    static func acquire(_ pointer: AbstractValue, at index: Int, _ state: inout PathState) {
        guard let place = DynptrSlots.place(pointer, state) else { return }
        state.dynptrReferences[place] = index + 1
        state.references.append(index)
    }

    /// A clone made at `clone` of the dynptr at `source` shares its reference, if it has one.
    static func share(from source: AbstractValue, to clone: AbstractValue, _ state: inout PathState) {
        guard let from = DynptrSlots.place(source, state), let to = DynptrSlots.place(clone, state),
              let reference = state.dynptrReferences[from] else { return }
        state.dynptrReferences[to] = reference
    }

    /// The reference the dynptr at `pointer` holds, 0 for none: what `bpf_dynptr_data`'s memory
    /// holds too, so that releasing the record ends it.
    static func reference(of pointer: AbstractValue, _ state: PathState) -> Int {
        guard let place = DynptrSlots.place(pointer, state) else { return 0 }
        return state.dynptrReferences[place] ?? 0
    }

    /// Submitting or discarding the dynptr at `pointer` gives its reference back and ends every
    /// dynptr sharing it and the memory they gave (a number now, as the kernel's mark_reg_invalid).
    static func release(_ pointer: AbstractValue, _ state: inout PathState) {
        let reference = reference(of: pointer, state)
        guard reference != 0 else { return }
        for (other, shared) in state.dynptrReferences where shared == reference {
            state.dynptrReferences[other] = nil
            state.dynptrs.remove(other)
        }
        state.dropReference(reference)
        state.updateAll { value in
            if value.reference == reference { value = .scalar(.unknown) }
        }
    }
}
