/// A gzip (RFC 1952) and DEFLATE (RFC 1951) decoder, for `/proc/config.gz`: the kernel
/// compresses its configuration and libbpf reads it through zlib. Every length is checked
/// against the input and the output is capped, so a corrupt or hostile file fails cleanly.
enum Gunzip {
    struct Failure: Error { let reason: String }

    /// The decompressed bytes of the first member, at most `limit` of them.
    static func decompress(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        guard bytes.count >= 18, bytes[0] == 0x1f, bytes[1] == 0x8b, bytes[2] == 8 else {
            throw Failure(reason: "not a gzip file")
        }
        let flags = bytes[3]
        var position = 10
        if flags & 4 != 0 {  // FEXTRA
            guard position + 2 <= bytes.count else { throw Failure(reason: "truncated header") }
            position += 2 + (Int(bytes[position]) | Int(bytes[position + 1]) << 8)
        }
        for flag: UInt8 in [8, 16] where flags & flag != 0 {  // FNAME, FCOMMENT: NUL-terminated
            while position < bytes.count, bytes[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 2 != 0 { position += 2 }  // FHCRC
        guard position < bytes.count else { throw Failure(reason: "truncated header") }
        var inflater = Inflater(input: bytes, bytePosition: position, limit: limit)
        try inflater.run()
        return inflater.output
    }
}

/// The DEFLATE block decoder.
private struct Inflater {
    let input: [UInt8]
    var bytePosition: Int
    let limit: Int
    var bitBuffer: UInt32 = 0
    var bitCount = 0
    var output: [UInt8] = []

    init(input: [UInt8], bytePosition: Int, limit: Int) {
        self.input = input
        self.bytePosition = bytePosition
        self.limit = limit
    }

    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                    67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                      1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                       11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    mutating func bits(_ count: Int) throws(Gunzip.Failure) -> Int {
        while bitCount < count {
            guard bytePosition < input.count else { throw Gunzip.Failure(reason: "compressed data is cut off") }
            bitBuffer |= UInt32(input[bytePosition]) << UInt32(bitCount)
            bytePosition += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt32(count)) - 1))
        bitBuffer >>= UInt32(count)
        bitCount -= count
        return value
    }

    /// A canonical Huffman code: symbols sorted by code, and how many codes of each length.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) throws(Gunzip.Failure) {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1 ..< 16 { offsets[length] = offsets[length - 1] + counts[length - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    mutating func decode(_ code: Huffman) throws(Gunzip.Failure) -> Int {
        var value = 0, first = 0, index = 0
        for length in 1 ..< 16 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - first < count { return code.symbols[index + value - first] }
            index += count
            first = (first + count) << 1
            value <<= 1
        }
        throw Gunzip.Failure(reason: "invalid Huffman code")
    }

    mutating func run() throws(Gunzip.Failure) {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1:
                let literal = try Huffman(lengths: Array(repeating: 8, count: 144) + Array(repeating: 9, count: 112)
                                          + Array(repeating: 7, count: 24) + Array(repeating: 8, count: 8))
                try codes(literal, try Huffman(lengths: Array(repeating: 5, count: 30)))
            case 2: try dynamic()
            default: throw Gunzip.Failure(reason: "invalid block type")
            }
        }
    }

    mutating func stored() throws(Gunzip.Failure) {
        bitBuffer = 0
        bitCount = 0
        guard bytePosition + 4 <= input.count else { throw Gunzip.Failure(reason: "stored block is cut off") }
        let length = Int(input[bytePosition]) | Int(input[bytePosition + 1]) << 8
        bytePosition += 4
        guard bytePosition + length <= input.count else { throw Gunzip.Failure(reason: "stored block is cut off") }
        guard output.count + length <= limit else { throw Gunzip.Failure(reason: "more than \(limit) bytes") }
        output += input[bytePosition ..< bytePosition + length]
        bytePosition += length
    }

    mutating func dynamic() throws(Gunzip.Failure) {
        let literals = try bits(5) + 257, distances = try bits(5) + 1, codeLengths = try bits(4) + 4
        guard literals <= 286, distances <= 30 else { throw Gunzip.Failure(reason: "too many codes") }
        var lengths = [Int](repeating: 0, count: 19)
        for i in 0 ..< codeLengths { lengths[Self.codeLengthOrder[i]] = try bits(3) }
        let lengthCode = try Huffman(lengths: lengths)
        var all: [Int] = []
        while all.count < literals + distances {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0 ..< 16: all.append(symbol)
            case 16:
                guard let previous = all.last else { throw Gunzip.Failure(reason: "repeat with no previous length") }
                all += Array(repeating: previous, count: 3 + (try bits(2)))
            case 17: all += Array(repeating: 0, count: 3 + (try bits(3)))
            default: all += Array(repeating: 0, count: 11 + (try bits(7)))
            }
        }
        guard all.count == literals + distances else { throw Gunzip.Failure(reason: "code lengths overrun") }
        try codes(try Huffman(lengths: Array(all[0 ..< literals])), try Huffman(lengths: Array(all[literals...])))
    }

    mutating func codes(_ literal: Huffman, _ distance: Huffman) throws(Gunzip.Failure) {
        while true {
            let symbol = try decode(literal)
            if symbol < 256 {
                guard output.count < limit else { throw Gunzip.Failure(reason: "more than \(limit) bytes") }
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let index = symbol - 257
            guard index < Self.lengthBase.count else { throw Gunzip.Failure(reason: "invalid length code") }
            let length = Self.lengthBase[index] + (try bits(Self.lengthExtra[index]))
            let distanceSymbol = try decode(distance)
            guard distanceSymbol < Self.distanceBase.count else { throw Gunzip.Failure(reason: "invalid distance code") }
            let back = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
            guard back <= output.count else { throw Gunzip.Failure(reason: "distance reaches before the start") }
            guard output.count + length <= limit else { throw Gunzip.Failure(reason: "more than \(limit) bytes") }
            let start = output.count - back
            for i in 0 ..< length { output.append(output[start + i]) }
        }
    }
}
