/// Structs, unions and arrays: a brace (or bracket), the members one level deeper, the closing
/// one. Below the top and without `zero`, the aggregate is first walked silently; it is shown
/// only when some value deeper than itself would be.
extension BTFShow {
    mutating func showAggregate(_ type: BTFType, _ id: UInt32, at offset: Int, bitOffset: UInt8) {
        let member = state.member
        if state.depth > 0, !flags.contains(.zero) {
            if state.depthCheck == 0 {
                state.depthCheck = state.depth + 1
                state.depthToShow = 0
            }
            showAggregateOnce(type, id, at: offset, bitOffset: bitOffset)
            state.member = member
            // Inside an enclosing aggregate's silent walk: that one decides.
            if state.depthCheck != state.depth + 1 { return }
            state.depthCheck = 0
            if state.depthToShow <= state.depth { return }
        }
        showAggregateOnce(type, id, at: offset, bitOffset: bitOffset)
    }

    private mutating func showAggregateOnce(_ type: BTFType, _ id: UInt32, at offset: Int, bitOffset: UInt8) {
        if type.kind == .array {
            showArray(type, id, at: offset, bitOffset: bitOffset)
        } else {
            showStructure(type, id, at: offset)
        }
    }

    private mutating func showStructure(_ type: BTFType, _ id: UInt32, at offset: Int) {
        startAggregate(type, id)
        for i in type.members.indices {
            let member = type.members[i]
            state.member = member
            let memberOffset = Int(type.memberBitOffset(i))
            let bitfieldSize = Int(type.memberBitfieldSize(i))
            if let memberType = btf.type(member.type) {
                if bitfieldSize > 0 {
                    startType(memberType, member.type)
                    showBitfield(at: offset + memberOffset / 8, bitOffset: memberOffset % 8, bits: bitfieldSize)
                    endType()
                } else {
                    show(memberType, member.type, at: offset + memberOffset / 8, bitOffset: UInt8(memberOffset % 8))
                }
            }
            state.member = nil
        }
        endAggregate("}")
    }

    /// Elements are shown without names; 1-byte int elements as characters up to a NUL. An
    /// element type without a size of its own (a pointer, an array) does not move on: the
    /// kernel shows the first element each time.
    private mutating func showArray(_ type: BTFType, _ id: UInt32, at offset: Int, bitOffset: UInt8) {
        let elementID = type.arrayElement
        let element = resolvedID(elementID).flatMap { btf.type($0) }
        var elementSize = 0
        var encoding: UInt8 = 0
        if let element {
            switch element.kind {
            case .int, .structure, .union, .enumeration, .enum64, .dataSection, .float:
                elementSize = Int(element.sizeOrType)
            default:
                break
            }
            if element.kind == .int {
                encoding = UInt8(truncatingIfNeeded: element.intData >> 24) & 0x0f
                if elementSize == 1 { encoding = Self.intChar }
            }
        }
        state.arrayEncoding = encoding
        state.arrayTerminated = false
        startAggregate(type, id)
        if let element {
            // No element starts past the object: the count stays the kernel's for any array
            // inside one, and a corrupt count cannot run on.
            let limit = elementSize > 0 ? Int(type.arrayCount) : min(Int(type.arrayCount), Self.maxZeroSizeElements)
            var at = offset
            for _ in 0 ..< limit {
                state.arrayMember = true
                state.member = nil
                show(element, elementID, at: at, bitOffset: bitOffset)
                at += elementSize
                state.arrayMember = false
                state.member = nil
                if state.arrayTerminated || steps >= Self.maxSteps { break }
                if elementSize > 0, at >= object.count { break }
            }
        }
        state.arrayEncoding = 0
        state.arrayTerminated = false
        endAggregate("]")
    }
}
