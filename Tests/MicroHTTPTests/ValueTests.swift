// In-process tests of the plain values and formatting: no socket, no daemon.
@testable import MicroHTTP
import HTTPTestClient
import Testing

@Suite struct ValueTests {
    @Test func headerLookupIsCaseInsensitiveAndNamesAreLowercased() {
        let request = HTTPRequest(
            method: "POST", path: "/step", query: nil,
            headers: [("Content-Type", "application/json"), ("X-Twice", "1"), ("x-twice", "2")],
            body: [])
        #expect(request.headers.map(\.name) == ["content-type", "x-twice", "x-twice"])
        #expect(request.header("CONTENT-TYPE") == "application/json")
        #expect(request.header("x-twice") == "1")  // the first of repeated fields
        #expect(request.header("absent") == nil)
        #expect(request.headers.map(\.value) == ["application/json", "1", "2"])
    }

    @Test func headersKeepEmptyAndNonASCIIValuesAndAnswerOnlyExactNames() {
        let headers = HTTPHeaders([("Empty", ""), ("X-Café", "thé"), ("A", "b"), ("X-Bytes", "v")])
        #expect(headers.map(\.name) == ["empty", "x-café", "a", "x-bytes"])
        #expect(headers.map(\.value) == ["", "thé", "b", "v"])
        #expect(headers.value(named: "EMPTY") == "")
        #expect(headers.value(named: "x-CAFÉ") == nil, "only ASCII letters fold")
        #expect(headers.value(named: "X-Café") == "thé")
        #expect(headers.value(named: "x-bytes") == "v")
        #expect(headers.value(named: "") == nil)
        #expect(headers.value(named: "x-byte") == nil)
        #expect(headers.value(named: "x-bytess") == nil)
        #expect(HTTPHeaders().map(\.name).isEmpty)
        #expect(HTTPHeaders([]).map(\.name).isEmpty)
    }

    /// A head larger than a stack scratch buffer is allowed to be (the init writes the fields
    /// into a temporary allocation, which moves to the heap past a size the runtime chooses).
    @Test func aLargeHeadKeepsEveryByte() {
        let cookie = String((0..<12_000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        let headers = HTTPHeaders([("Host", "x"), ("Cookie", cookie), ("Accept", "*/*")])
        #expect(headers.map(\.name) == ["host", "cookie", "accept"])
        #expect(headers.value(named: "cookie")?.utf8.count == 12_000)
        #expect(headers.value(named: "cookie")?.hasPrefix("abcdefghijklmnopqrstuvwxyzabc") == true)
        #expect(headers.value(named: "cookie")?.hasSuffix("jklmnopqrstuvwxyzabcdefghijklmn") == true)
        #expect(headers.value(named: "accept") == "*/*")
    }

    @Test func fieldNamesAreLowercasedInASCIIOnly() {
        func lowercased(_ name: String) -> String {
            String(decoding: name.utf8.map(\.fieldNameLowercased), as: UTF8.self)
        }
        #expect(lowercased("Content-TYPE") == "content-type")
        #expect(lowercased("x-already-lower") == "x-already-lower")
        #expect(lowercased("@[`{Z") == "@[`{z")  // the bytes just outside A–Z stay
        #expect(lowercased("X-É") == "x-É")      // not a token character: left alone
        #expect("Content-Length".isFieldName("content-length"))
        #expect("TRANSFER-encoding".isFieldName("transfer-encoding"))
        #expect(!"Content-Lengths".isFieldName("content-length"))
        #expect(!"Content_Length".isFieldName("content-length"))
    }

    @Test func contentLengthIsDigitsBetweenOptionalSpacesAndTabs() {
        func parse(_ text: String) -> UInt64? { ContentLength.parse(Array(text.utf8)) }
        #expect(parse("241") == 241)
        #expect(parse("0") == 0)
        #expect(parse(" \t 12\t ") == 12)
        #expect(parse("007") == 7)
        #expect(parse("18446744073709551615") == UInt64.max)
        #expect(parse("18446744073709551616") == nil, "overflow")
        #expect(parse("99999999999999999999") == nil, "overflow")
        #expect(parse("") == nil)
        #expect(parse(" \t") == nil)
        #expect(parse("1 2") == nil)
        #expect(parse("+1") == nil)
        #expect(parse("-1") == nil)
        #expect(parse("12a") == nil)
        #expect(parse("0x10") == nil)
        #expect(parse("1\r") == nil)
    }

    @Test func rawQueryIsEverythingAfterTheFirstQuestionMark() {
        #expect(RequestState(rawURI: "/a?x=1&y=%20?z").rawQuery == "x=1&y=%20?z")
        #expect(RequestState(rawURI: "/a?").rawQuery == "")
        #expect(RequestState(rawURI: "/a").rawQuery == nil)
        #expect(RequestState(rawURI: nil).rawQuery == nil)
    }

    @Test func invalidConfigurationsAreRejectedBeforeMHDSeesThem() throws {
        var configuration = ServerConfiguration()
        configuration.host = "localhost"  // names are not resolved
        configuration.port = 0
        #expect(throws: HTTPServerError.invalidHost("localhost")) {
            try HTTPServer(configuration: configuration, handler: EchoHandler()).start()
        }
        configuration.host = "127.0.0.1"
        configuration.port = 70_000
        #expect(throws: HTTPServerError.invalidConfiguration("port 70000 is outside 0...65535")) {
            try HTTPServer(configuration: configuration, handler: EchoHandler()).start()
        }
    }

    /// A series is hashed by its status and its labels' lengths only: series whose labels have the
    /// same lengths ("/step" and "/loss", "POST" and "HEAD") must still be kept apart.
    @Test func durationSeriesWithLabelsOfEqualLengthStayApart() {
        let metrics = ServerMetrics(memoryBudgetBytes: 1 << 20, workers: 1)
        let seconds = 0.002
        for (route, method, status, times) in [("/step", "POST", 200, 3), ("/loss", "POST", 200, 2),
                                               ("/step", "HEAD", 200, 1), ("/step", "POST", 422, 4)] {
            for _ in 0..<times { metrics.record(route: route, method: method, status: status, seconds: seconds) }
        }
        let series = metrics.durationSeries().map { "\($0.key.route) \($0.key.method) \($0.key.status) \($0.histogram.count)" }
        #expect(series == ["/loss POST 200 2", "/step HEAD 200 1", "/step POST 200 3", "/step POST 422 4"])
    }
}
