// What the table cannot say in one request: limits set by configuration, the 413 body, and the
// route table agreeing with openapi.yaml's operationIds.

import APITestCases
import Backprop
@testable import BackpropAPI
import Foundation
import MicroHTTP
import Testing

@Suite("API edge")
struct EdgeTests {
    func post(_ service: BackpropService, _ path: String, _ body: [UInt8]) -> RawResponse {
        let r = service.respond(to: HTTPRequest(method: "POST", path: path, query: nil, headers: [], body: body))
        return RawResponse(status: r.status, headers: r.headers, body: r.body)
    }

    @Test func workLimitFromConfigurationAnswers422() {
        let service = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxWork: 100)))
        let body = jsonBody(["network": contractNetwork.json, "input": contractInput, "target": contractTarget, "steps": 10])
        let r = post(service, "/step", body)
        #expect(r.status == 422)
        #expect(r.object["type"] as? String == "urn:backprop:problem:limit-exceeded")
        let errors = r.object["errors"] as? [[String: Any]] ?? []
        #expect(errors.first?["pointer"] as? String == "/steps")
        // 11 passes × ((10 parameters + 45 × 4 units) × 1 sample + 4096 × 2 layers)
        #expect((errors.first?["detail"] as? String)?.contains("= 11 × ((10 + 45 × 4) × 1 + 4096 × 2) = 92202 exceeds the work limit 100") == true, "\(errors)")
    }

    @Test func parameterLimitPointsAtTheNetwork() {
        let service = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxParameters: 5)))
        let r = post(service, "/forward", jsonBody(["network": contractNetwork.json, "input": contractInput]))
        #expect(r.status == 422)
        #expect((r.object["errors"] as? [[String: Any]])?.first?["pointer"] as? String == "/network")
    }

    @Test func bodyTooLargeIsAProblem() {
        let service = BackpropService(configuration: ServiceConfiguration(corsOrigins: [testOrigin]))
        let r = service.bodyTooLarge(HTTPRequest(method: "POST", path: "/step", query: nil, headers: [("origin", testOrigin)], body: []), limit: 1000)
        #expect(r.status == 413)
        #expect(r.headers.contains { $0.name == "Content-Type" && $0.value == "application/problem+json" })
        #expect(r.headers.contains { $0.name == "Access-Control-Allow-Origin" && $0.value == testOrigin })
        let o = RawResponse(status: r.status, headers: r.headers, body: r.body).object
        #expect(o["status"] as? Int == 413)
        #expect((o["detail"] as? String)?.contains("1000 bytes") == true)
    }

    @Test func deepNestingIsA400NotACrash() {
        let service = BackpropService()
        let body = Array(String(repeating: "[", count: 100_000).utf8)
        let r = post(service, "/forward", body)
        #expect(r.status == 400)
    }

    @Test func duplicateKeysAreRejected() {
        let service = BackpropService()
        let r = post(service, "/forward", Array(#"{"input":[1],"input":[2]}"#.utf8))
        #expect(r.status == 400)
        #expect((r.object["detail"] as? String)?.contains("duplicate") == true)
    }

    /// Every route is an operation of openapi.yaml under the same operationId and path, and every
    /// operation is a route.
    @Test func routesMatchOpenAPIOperationIds() throws {
        let yaml = String(decoding: OpenAPIDocument.bytes, as: UTF8.self)
        var specOperations: [String: String] = [:]  // operationId → path
        var currentPath = ""
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") { currentPath = String(line.dropFirst(2).dropLast()) }
            if let r = line.range(of: "operationId:") {
                let id = line[r.upperBound...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                specOperations[id] = currentPath
            }
        }
        let routes = Dictionary(uniqueKeysWithValues: Route.allCases.map { ($0.rawValue, $0.path) })
        #expect(specOperations == routes, "openapi.yaml \(specOperations) vs routes \(routes)")
    }
}

@Suite("Routes")
struct RouteTests {
    /// Every route is found at its own path (no two routes share one, which would leave the later
    /// unreachable), and only there.
    @Test func pathsMatchExactly() {
        for route in Route.allCases { #expect(Route(path: route.path) == route, "\(route.path)") }
        #expect(Route(path: "/step") == .step)
        for near in ["/steps", "/step/", "/Step", "step", "/step?x=1", ""] { #expect(Route(path: near) == nil, "\(near)") }
        // Same length as a route's path, different bytes: the length check alone must not match.
        for near in ["/stop", "/Init", "/forwarD", "/healthy"] { #expect(Route(path: near) == nil, "\(near)") }
    }
}
