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
    }

    @Test func accessLogLineFormat() {
        #expect(StandardError.accessLogLine(method: "POST", path: "/step", status: 200,
                                            duration: .microseconds(420), bytesOut: 1234)
                == "POST /step 200 0.42ms 1234B")
        #expect(StandardError.accessLogLine(method: "GET", path: "/", status: 404,
                                            duration: .microseconds(12_345_678), bytesOut: 0)
                == "GET / 404 12345.68ms 0B")
        #expect(StandardError.accessLogLine(method: "GET", path: "/", status: 200,
                                            duration: .microseconds(7), bytesOut: 0)
                == "GET / 200 0.01ms 0B")
    }

    @Test func fieldNamesAreLowercasedInASCIIOnly() {
        #expect("Content-TYPE".fieldNameLowercased == "content-type")
        #expect("x-already-lower".fieldNameLowercased == "x-already-lower")
        #expect("@[`{Z".fieldNameLowercased == "@[`{z")  // the bytes just outside A–Z stay
        #expect("X-É".fieldNameLowercased == "x-É")      // not a token character: left alone
        #expect("Content-Length".isFieldName("content-length"))
        #expect("TRANSFER-encoding".isFieldName("transfer-encoding"))
        #expect(!"Content-Lengths".isFieldName("content-length"))
        #expect(!"Content_Length".isFieldName("content-length"))
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
}
