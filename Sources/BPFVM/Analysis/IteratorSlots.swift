import BPFCore

/// Number iterators on the stack, as the kernel's STACK_ITER slots: `new` wants a slot without
/// a live iterator and takes a reference, `next` and `destroy` want a live one (in a slot no
/// store has touched since), `destroy` gives the reference back, so one never destroyed is an
/// unreleased reference at exit. A NULL or non-stack argument is refused (`checkArgument`); an
/// iterator the analysis cannot place (a stack pointer at no known slot) is not followed.
enum IteratorSlots {
    /// The calls that step an iterator: the kernel keeps a state at each and widens there.
    static let nextCalls: Set<Int32> = [KfuncTable.helperID(.iterNumNext), KfuncTable.helperID(.iterBitsNext),
                                        KfuncTable.helperID(.iterTaskVMANext), KfuncTable.helperID(.iterTaskNext)]

    /// The kernel's name for the iterator a kfunc takes.
    static func kind(_ kfunc: EmbeddedKfunc) -> String {
        switch kfunc {
        case .iterBitsNew, .iterBitsNext, .iterBitsDestroy: "iter_bits"
        case .iterTaskVMANew, .iterTaskVMANext, .iterTaskVMADestroy: "iter_task_vma"
        case .iterTaskNew, .iterTaskNext, .iterTaskDestroy: "iter_task"
        default: "iter_num"
        }
    }

    /// The place of the live iterator a `next` call steps, when the analysis can place it.
    static func stepped(by op: Operation, _ state: PathState) -> StackPlace? {
        guard case .call(.helper(let id)) = op, nextCalls.contains(id),
              let place = place(state.registers[1], state), live(place, state) != nil else { return nil }
        return place
    }

    static func place(_ pointer: AbstractValue, _ state: PathState) -> StackPlace? {
        guard case .stack(let frame) = pointer.kind, frame <= state.frame, pointer.range.constant == 0,
              let (slot, position) = PathMemory.slot(pointer.offset, size: 8), position == 0 else { return nil }
        return StackPlace(frame: frame, slot: slot)
    }

    /// The live iterator's reference at `place`, nil when none is there (or a store ended it).
    static func live(_ place: StackPlace, _ state: PathState) -> Int? {
        guard let reference = state.iterators[place], state.stacks[place.frame][place.slot] == .unknown else { return nil }
        return reference
    }

    /// What Linux 6.18 asks of an iterator argument before it looks at the slot: not NULL (the
    /// iterator kfuncs take trusted arguments) and a pointer into the stack; a map value, the
    /// context or a number is refused, never left unfollowed.
    static func checkArgument(_ pointer: AbstractValue, at index: Int) throws(VMError) {
        if pointer.isScalar, pointer.range.constant == 0 {
            throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES)
        }
        if case .stack = pointer.kind { return }
        guard pointer.isScalar || pointer.isKnownPointer else { return }
        throw VMError(instruction: index, "arg#0 expected pointer to an iterator on stack", errno: .EINVAL)
    }

    static func create(_ pointer: AbstractValue, kind: String = "iter_num", at index: Int, _ state: inout PathState) throws(VMError) {
        guard let place = place(pointer, state) else { return }
        if live(place, state) != nil {
            throw VMError(instruction: index, "expected uninitialized \(kind) as arg #0")
        }
        state.iterators[place] = index + 1
        state.drainedIterators.remove(place)
        state.references.append(index)
    }

    static func require(_ pointer: AbstractValue, kind: String = "iter_num", at index: Int, _ state: PathState) throws(VMError) {
        guard let place = place(pointer, state) else { return }
        if live(place, state) == nil {
            throw VMError(instruction: index, "expected an initialized \(kind) as arg #0")
        }
    }

    static func destroy(_ pointer: AbstractValue, kind: String = "iter_num", at index: Int, _ state: inout PathState) throws(VMError) {
        guard let place = place(pointer, state) else { return }
        guard let reference = live(place, state) else {
            throw VMError(instruction: index, "expected an initialized \(kind) as arg #0")
        }
        state.iterators[place] = nil
        state.drainedIterators.remove(place)
        state.dropReference(reference)
    }
}

/// Dynptrs on the stack, as the kernel's STACK_DYNPTR slots: made by `bpf_dynptr_from_skb`,
/// `bpf_dynptr_clone`, `dynptr_from_mem` and `ringbuf_reserve_dynptr`; a kfunc given one that
/// was never made there, or whose bytes a store has touched since, is refused ("Expected an
/// initialized dynptr as arg #n", EINVAL). A dynptr the analysis cannot place (its pointer is
/// not a known stack slot, as a callback's argument) is not followed.
enum DynptrSlots {
    static func place(_ pointer: AbstractValue, _ state: PathState) -> StackPlace? {
        guard let first = IteratorSlots.place(pointer, state), first.slot >= 1 else { return nil }
        return first
    }

    static func create(_ pointer: AbstractValue, _ state: inout PathState) {
        guard let place = place(pointer, state) else { return }
        state.dynptrs.insert(place)
    }

    /// A ring buffer record's dynptr after it was submitted or discarded: no longer one.
    static func release(_ pointer: AbstractValue, _ state: inout PathState) {
        guard let place = place(pointer, state) else { return }
        state.dynptrs.remove(place)
    }

    /// A dynptr's 16 bytes start at an 8-byte boundary and lie below the frame's top, or there
    /// is none there (the kernel's stack_slot_obj_get_spi: "cannot pass in dynptr at an
    /// offset=-20", EINVAL): refused as making one there (`creates`), releasing one there
    /// (`releases`, argument register `register`) or reading one (argument number `argument`).
    /// A pointer below the frame is left to the bounds checks.
    static func checkPosition(_ pointer: AbstractValue, creates: Bool = false, releases: Bool = false,
                              register: Int = 1, argument: Int = 0, at index: Int, _ state: PathState) throws(VMError) {
        guard case .stack(let frame) = pointer.kind, frame <= state.frame, pointer.range.constant == 0,
              pointer.offset >= -VMLimits.stackPerFrame, place(pointer, state) == nil else { return }
        let misplaced = "cannot pass in dynptr at an offset=\(pointer.offset)"
        if creates { throw VMError(instruction: index, "\(misplaced); Dynptr has to be an uninitialized dynptr") }
        if releases { throw VMError(instruction: index, "\(misplaced); arg \(register) is an unacquired reference") }
        throw VMError(instruction: index, "\(misplaced); Expected an initialized dynptr as arg #\(argument)")
    }

    static func require(_ pointer: AbstractValue, argument: Int, at index: Int, _ state: PathState) throws(VMError) {
        guard let place = place(pointer, state) else { return }
        let stack = state.stacks[place.frame]
        guard state.dynptrs.contains(place), stack[place.slot] == .unknown, stack[place.slot - 1] == .unknown else {
            throw VMError(instruction: index, "Expected an initialized dynptr as arg #\(argument)")
        }
    }
}
