import Testing
import WebSocketWire

@Suite("WebSocketWire HTTP head reader")
struct HTTPHeadReaderTests {
    static let response = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8)

    @Test(arguments: [1, 2, 3, 5, 7, 200])
    func aHeadSplitAcrossReadsGivesItsLinesAndWhereTheRestStarts(chunk: Int) {
        let bytes = Self.response + [0x81, 0x00]
        var reader = HTTPHeadReader(maxBytes: 1024)
        var index = 0
        var outcome = HTTPHeadReader.Outcome.needMore
        while index < bytes.count, outcome == .needMore {
            let end = min(bytes.count, index + chunk)
            outcome = reader.feed(bytes[index..<end])
            if case .complete(let lines, let consumed) = outcome {
                #expect(lines == ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade"])
                #expect(index + consumed == Self.response.count, "the rest starts right after the empty line")
            }
            index = end
        }
        guard case .complete = outcome else {
            Issue.record("no head with \(chunk)-byte reads: \(outcome)")
            return
        }
    }

    @Test func bareLineFeedsEndLinesAndTheHeadAsRFC9112Allows() {
        var reader = HTTPHeadReader(maxBytes: 1024)
        #expect(
            reader.feed(Array("GET / HTTP/1.1\nHost: x\r\n\nBODY".utf8)) == .complete(lines: ["GET / HTTP/1.1", "Host: x"], consumed: 25))
        var mixed = HTTPHeadReader(maxBytes: 1024)
        #expect(mixed.feed(Array("HTTP/1.1 200 OK\n\r\n".utf8)) == .complete(lines: ["HTTP/1.1 200 OK"], consumed: 18))
    }

    @Test func aHeadOfExactlyTheBoundFitsHoweverItIsCut() {
        // 64 bytes before the empty line; the last line's CR LF and the empty line's CR LF arrive later.
        let head = Array("HTTP/1.1 101 OK\r\nX: ".utf8)
        let bytes = head + [UInt8](repeating: 0x61, count: 64 - head.count) + Array("\r\n\r\n".utf8)
        for cut in 1..<bytes.count {
            var reader = HTTPHeadReader(maxBytes: 64)
            let first = reader.feed(bytes[0..<cut])
            let outcome = first == .needMore ? reader.feed(bytes[cut...]) : first
            guard case .complete(let lines, _) = outcome else {
                Issue.record("cut at \(cut): \(outcome)")
                continue
            }
            #expect(lines.count == 2)
        }
    }

    @Test func aHeadOverTheBoundIsRefusedWhenItEndsAndWhenItCannotEndInTime() {
        // The end is in sight (within the bound + 4 bytes held) but the head is 15 bytes.
        var ended = HTTPHeadReader(maxBytes: 14)
        #expect(ended.feed(Array("HTTP/1.1 200 OK\n\n".utf8)) == .tooLarge(size: 15))
        // No end within the bound + 4 bytes: refused without waiting for it.
        var unseen = HTTPHeadReader(maxBytes: 10)
        #expect(unseen.feed(Array("HTTP/1.1 200 OK\r\n\r\n".utf8)) == .tooLarge(size: 14))
        var endless = HTTPHeadReader(maxBytes: 100)
        #expect(endless.feed(Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 200)).utf8)) == .tooLarge(size: 104))
        // Bytes held stay bounded whatever arrives.
        var held = HTTPHeadReader(maxBytes: 100)
        #expect(held.feed([UInt8](repeating: 0x61, count: 103)) == .needMore)
        #expect(held.heldBytes == 103)
        #expect(held.feed([0x61]) == .tooLarge(size: 104))
        #expect(held.heldBytes == 0)
    }

    @Test func invalidUTF8InALineIsReplacedNotTrusted() {
        var reader = HTTPHeadReader(maxBytes: 100)
        #expect(reader.feed([0x48, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A] as [UInt8]) == .complete(lines: ["H\u{FFFD}"], consumed: 6))
    }
}
