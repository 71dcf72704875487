// The bytes of a request body before they are JSON: what encodings are accepted, the UTF-8 BOM
// that RFC 8259 lets a reader ignore, and an error that names the real cause when the body is
// not JSON at all (empty, compressed, or a form, which is what a client sends by mistake).

import JSONCodec
import MicroHTTP

enum RequestBody {
    /// 415 for a `Content-Encoding` the service does not decode (any but identity): the body
    /// would otherwise be reported as malformed JSON, which is not what is wrong.
    static func check(_ request: HTTPRequest) throws(APIError) {
        if let encoding = request.header("content-encoding"), encoding.lowercased() != "identity" {
            throw APIError(status: 415, type: ProblemType.unsupportedMediaType, title: "Unsupported Media Type",
                           detail: "Content-Encoding \(encoding) is not supported; send the JSON body uncompressed, without a Content-Encoding header.")
        }
    }

    /// The body as a JSON document, after a UTF-8 byte order mark if there is one.
    static func parse(_ body: [UInt8], maxDepth: Int) throws(JSONSyntaxError) -> JSONDocument {
        let limits = JSONReader.Limits(maxDepth: maxDepth)
        guard body.starts(with: [0xEF, 0xBB, 0xBF]) else { return try JSONReader.parseDocument(body, limits: limits) }
        return try JSONReader.parseDocument(Array(body.dropFirst(3)), limits: limits)  // rare: a copy is fine
    }

    /// The 400 for a body that did not parse: empty, a form (how to send JSON instead), or JSON
    /// with a syntax error (where).
    static func unreadable(_ request: HTTPRequest, _ error: JSONSyntaxError) -> APIError {
        if request.body.isEmpty {
            return APIError(status: 400, type: ProblemType.malformedJSON, title: "Malformed JSON",
                            detail: "The body is empty; send a JSON object (see GET /openapi.yaml).")
        }
        if let form = formEncoding(request) {
            return APIError(status: 400, type: ProblemType.malformedJSON, title: "Malformed JSON",
                            detail: "The body is \(form), not JSON. Send the JSON object itself as the body: in Python "
                                + "requests.post(url, json=body), not data=; in curl --json '{…}', or -H 'Content-Type: application/json' -d '{…}', not -F.")
        }
        return .malformedJSON(error)
    }

    /// "form data (multipart/form-data)" or "form-encoded (…)" when the body is a form; nil otherwise.
    /// curl -d sends JSON labelled application/x-www-form-urlencoded, which is accepted: a body
    /// counts as a form only when it does not parse as JSON and looks like one.
    private static func formEncoding(_ request: HTTPRequest) -> String? {
        let type = request.header("content-type")?.lowercased() ?? ""
        if type.hasPrefix("multipart/form-data") || request.body.starts(with: Array("--".utf8)) {
            return "form data (multipart/form-data, as curl -F and requests' files= send)"
        }
        let first = request.body.first { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }
        let looksLikePairs = first.map { $0 != UInt8(ascii: "{") && $0 != UInt8(ascii: "[") } ?? false
            && request.body.contains(UInt8(ascii: "="))
        if looksLikePairs && (type.isEmpty || type.hasPrefix("application/x-www-form-urlencoded")) {
            return "form-encoded (key=value pairs, as requests' data= and curl -d with key=value send)"
        }
        return nil
    }
}
