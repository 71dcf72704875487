// The playground's routes in-process: the page and its files with their security headers, KaTeX
// from a directory (and nothing else of the file system), and the file table agreeing with page/,
// with what the page loads, and with openapi.yaml. The page's behaviour is Tests/Browser's.

@testable import BackpropAPI
import Foundation
import MicroHTTP
import Playground
import Testing

@Suite("Playground routes")
struct PlaygroundRouteTests {
    static let pageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/Playground/page")

    func get(_ path: String, katex: String = "/nonexistent", method: String = "GET") -> HTTPResponse {
        var configuration = ServiceConfiguration()
        configuration.katexDirectory = katex
        return BackpropService(configuration: configuration).respond(to: HTTPRequest(method: method, path: path))
    }

    func header(_ r: HTTPResponse, _ name: String) -> String? {
        r.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func expectSecurityHeaders(_ r: HTTPResponse, _ path: String) {
        let csp = header(r, "Content-Security-Policy") ?? ""
        #expect(csp.hasPrefix("default-src 'self';"), "\(path): \(csp)")
        #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && csp.contains("connect-src 'self'"), "\(path)")
        #expect(!csp.contains("unsafe") && !csp.contains("http"), "\(path): \(csp)")
        #expect(header(r, "X-Content-Type-Options") == "nosniff", "\(path)")
    }

    @Test func thePageIsServedAtTheRoot() {
        let r = get("/")
        #expect(r.status == 200)
        #expect(header(r, "Content-Type") == "text/html; charset=utf-8")
        #expect(r.body == PlaygroundFiles.index)
        expectSecurityHeaders(r, "/")
        let html = String(decoding: r.body, as: UTF8.self)
        for testID in ["network", "explanation", "step", "train", "loss"] {
            #expect(html.contains("data-testid=\"\(testID)\""), "the contract's hook \(testID)")
        }
    }

    @Test func theRootTakesOnlyReadingMethods() {
        let r = get("/", method: "POST")
        #expect(r.status == 405)
        #expect(header(r, "Allow") == "GET, HEAD, OPTIONS")
        #expect(get("/", method: "HEAD").status == 200)
    }

    @Test func everyFileOfPageIsServedWithItsType() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.pageDirectory.path).filter { $0 != "index.html" }
        #expect(Set(names) == Set(PlaygroundFiles.files.keys), "page/ and PlaygroundFiles.files disagree")
        let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "svg": "image/svg+xml"]
        for name in names {
            let r = get("/playground/" + name)
            #expect(r.status == 200, "\(name)")
            #expect(header(r, "Content-Type") == types[String(name.split(separator: ".").last!)], "\(name)")
            #expect(r.body == Array(try Data(contentsOf: Self.pageDirectory.appendingPathComponent(name))), "\(name)")
            expectSecurityHeaders(r, name)
        }
    }

    /// What the page loads (index.html's src and href, the modules' imports) is all served.
    @Test func everythingThePageLoadsIsThere() throws {
        let html = String(decoding: PlaygroundFiles.index, as: UTF8.self)
        var wanted = matches(of: #"(?:src|href)="(/[^"]*)""#, in: html)
        for (name, bytes) in PlaygroundFiles.files where name.hasSuffix(".js") {
            wanted += matches(of: #"from '\./([^']+)'"#, in: String(decoding: bytes, as: UTF8.self)).map { "/playground/" + $0 }
        }
        #expect(wanted.contains("/playground/app.js") && wanted.contains("/playground/diagram.js"))
        for path in Set(wanted) where !path.hasPrefix("/katex/") && path != "/openapi.yaml" {
            #expect(get(path).status == 200, "\(path) is loaded by the page but not served")
        }
        #expect(wanted.contains("/katex/katex.min.js") && wanted.contains("/katex/katex.min.css"))
    }

    func matches(of pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }

    @Test func openAPIListsThePlaygroundFiles() {
        let yaml = String(decoding: OpenAPIDocument.bytes, as: UTF8.self)
        guard let start = yaml.range(of: "operationId: playgroundFile"),
              let list = yaml[start.upperBound...].range(of: "enum: ["),
              let end = yaml[list.upperBound...].range(of: "]") else {
            Issue.record("no enum of files under playgroundFile in openapi.yaml")
            return
        }
        let names = yaml[list.upperBound..<end.lowerBound].split(whereSeparator: { ", \n".contains($0) }).map(String.init)
        #expect(Set(names) == Set(PlaygroundFiles.files.keys))
    }

    @Test func anUnknownFileIs404() {
        let r = get("/playground/nope.js")
        #expect(r.status == 404)
        #expect(header(r, "Content-Type") == "application/problem+json")
        #expect(String(decoding: r.body, as: UTF8.self).contains("app.js"), "the 404 lists the files")
    }

    @Test func pathsMatchTheFileRoutesByFolder() {
        #expect(Route(path: "/") == .playground)
        #expect(Route(path: "/playground/app.js") == .playgroundFile)
        #expect(Route(path: "/katex/katex.min.js") == .katex)
        #expect(Route(path: "/katex/fonts/KaTeX_Main-Regular.woff2") == .katexFont)
        for near in ["/playground", "/playgroundx/app.js", "/katex", "/katexx/a.js", "//"] {
            #expect(Route(path: near) == nil, "\(near)")
        }
    }

    /// KaTeX from a directory laid out as Debian lays it out, and a secret beside it that no path
    /// may reach.
    @Test func katexIsServedFromItsDirectoryAndNothingElse() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("katex-test-\(getpid())")
        let katex = root.appendingPathComponent("katex")
        try FileManager.default.createDirectory(at: katex.appendingPathComponent("fonts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("window.katex={}".utf8).write(to: katex.appendingPathComponent("katex.js"))
        try FileManager.default.createSymbolicLink(atPath: katex.appendingPathComponent("katex.min.js").path, withDestinationPath: "katex.js")
        try Data(".katex{}".utf8).write(to: katex.appendingPathComponent("katex.min.css"))
        try Data([0x77, 0x4F, 0x46, 0x32]).write(to: katex.appendingPathComponent("fonts/KaTeX_Main-Regular.woff2"))
        try Data("TOP-SECRET-CONTENT".utf8).write(to: root.appendingPathComponent("secret.js"))
        try Data("hidden".utf8).write(to: katex.appendingPathComponent(".hidden.js"))
        try Data("module".utf8).write(to: katex.appendingPathComponent("katex.mjs"))

        let js = get("/katex/katex.min.js", katex: katex.path)
        #expect(js.status == 200)
        #expect(js.body == Array("window.katex={}".utf8), "the Debian link katex.min.js → katex.js is followed")
        #expect(header(js, "Content-Type") == "text/javascript; charset=utf-8")
        expectSecurityHeaders(js, "katex.min.js")
        #expect(header(get("/katex/katex.min.css", katex: katex.path), "Content-Type") == "text/css; charset=utf-8")
        let font = get("/katex/fonts/KaTeX_Main-Regular.woff2", katex: katex.path)
        #expect(font.status == 200 && header(font, "Content-Type") == "font/woff2")

        for path in ["/katex/../secret.js", "/katex/fonts/../../secret.js", "/katex/..%2Fsecret.js", "/katex/.hidden.js",
                     "/katex/katex.mjs", "/katex/fonts/katex.js", "/katex/fonts", "/katex/", "/katex/fonts/",
                     "/katex/sub/katex.js", "/katex//katex.js", "/katex/fonts/x/KaTeX_Main-Regular.woff2"] {
            let r = get(path, katex: katex.path)
            #expect(r.status == 404, "\(path) answered \(r.status)")
            #expect(!String(decoding: r.body, as: UTF8.self).contains("TOP-SECRET-CONTENT"), "\(path)")
        }
    }

    @Test func withoutKatexThe404SaysWhatToInstall() {
        let r = get("/katex/katex.min.js", katex: "/nonexistent-katex")
        #expect(r.status == 404)
        #expect(String(decoding: r.body, as: UTF8.self).contains("libjs-katex"))
    }
}
