// The playground's files (embedded) and Debian's KaTeX (read from its install directory) as HTTP
// answers, with the headers that keep the page to its own origin. Not the API: nothing here reads a
// body or computes; the page talks to the API over the same routes a notebook uses.

import Glibc
import MicroHTTP
import Playground

enum StaticFiles {
    /// Same origin only, and no inline script or style anywhere. KaTeX's `render` sets its styles
    /// through the CSSOM (`element.style`), which `style-src` does not govern; markup with `style`
    /// attributes (KaTeX's `renderToString`) would be refused, and the page does not use it.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// What every file answer carries besides its type. The page's own files are revalidated on
    /// every load (`no-cache`) so a new server version is seen at once; KaTeX changes only with
    /// its Debian package.
    static func headers(contentType: String, cache: String) -> [(name: String, value: String)] {
        [("Content-Type", contentType), ("Content-Security-Policy", contentSecurityPolicy),
         ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("Cache-Control", cache)]
    }

    /// GET /: the page.
    static func page() -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers(contentType: contentType("index.html"), cache: "no-cache"),
                     body: PlaygroundFiles.index)
    }

    /// GET /playground/NAME: one of the page's scripts or styles.
    static func playgroundFile(_ path: String) throws(APIError) -> HTTPResponse {
        let name = String(path.dropFirst("/playground/".count))
        guard let bytes = PlaygroundFiles.files[name] else {
            let names = PlaygroundFiles.files.keys.sorted().joined(separator: ", ")
            throw APIError(status: 404, title: "Not Found", detail: "No file \(path). The playground's files: \(names).")
        }
        return HTTPResponse(status: 200, headers: headers(contentType: contentType(name), cache: "no-cache"), body: bytes)
    }

    /// GET /katex/NAME and /katex/fonts/NAME: Debian's libjs-katex, read from `directory` on
    /// each request (the page cache keeps that cheap), so installing the package later needs no
    /// restart. Only scripts and styles at the top and fonts under fonts/ are served, by names
    /// without a path in them: nothing else of the file system is reachable.
    static func katex(_ path: String, directory: String) throws(APIError) -> HTTPResponse {
        let relative = path.dropFirst("/katex/".count)
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        let allowed: Set<Substring> = parts.count == 1 ? ["js", "css"] : ["woff2", "woff", "ttf"]
        guard parts.count == 1 || (parts.count == 2 && parts[0] == "fonts"),
              let name = parts.last, isPlainFileName(name), let ext = name.split(separator: ".").last, allowed.contains(ext),
              let bytes = readFile(directory + "/" + relative) else {
            throw APIError(status: 404, title: "Not Found", detail: """
                No file \(path). The playground typesets with Debian's KaTeX (apt-get install libjs-katex), \
                served from \(directory) (--katex-directory); without it the page shows the plain-text derivation.
                """)
        }
        return HTTPResponse(status: 200, headers: headers(contentType: contentType(String(name)), cache: "public, max-age=86400"), body: bytes)
    }

    /// Letters, digits, `_`, `-` and inner dots: no `/`, no `..`, no hidden files.
    static func isPlainFileName(_ name: Substring) -> Bool {
        guard let first = name.first, first != ".", !name.contains("..") else { return false }
        return name.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
    }

    /// The media type of a file by its extension (only the kinds served here).
    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "woff2": "font/woff2"
        case "woff": "font/woff"
        case "ttf": "font/ttf"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }

    /// A regular file's bytes (symbolic links followed: Debian links katex.min.js and fonts/), or
    /// nil when there is none or it is larger than any file KaTeX ships (8 MiB).
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= 8 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }  // an error, or a file that shrank while read
            done += n
        }
        return bytes
    }
}
