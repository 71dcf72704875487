// The shared API table (Tests/APITestCases) run in-process: a request value into the service,
// a response value out, no socket. The same table runs over HTTP in IntegrationTests.

import APITestCases
import Backprop
import BackpropAPI
import MicroHTTP
import Testing

@Suite("API table, in-process")
struct InProcessTableTests {
    static let service = BackpropService(configuration: ServiceConfiguration(corsOrigins: [testOrigin]))

    @Test(arguments: APICases.all.map(\.name))
    func answers(_ name: String) {
        let c = APICases.all.first { $0.name == name }!
        let response = Self.service.respond(to: HTTPRequest(method: c.method, path: c.path, query: nil, headers: c.headers, body: c.body))
        let failures = c.check(RawResponse(status: response.status, headers: response.headers, body: response.body))
        #expect(failures.isEmpty, "\(name): \(failures.joined(separator: "; "))")
    }
}
