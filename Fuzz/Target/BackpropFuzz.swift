// libFuzzer target over the whole request path without a socket: bytes → route → JSON decode →
// field reading → core validation → compute → JSON encode (BackpropService.respond).
// Built only when BACKPROP_FUZZ=1 (the end of Package.swift); scripts/hardening.sh --only fuzz runs it.
// Findings: a crash or trap, a 5xx (the README calls any 5xx a bug), or an answer that is not JSON.
import Backprop
import BackpropAPI
import JSONCodec
import MicroHTTP

/// The first input byte picks the route, so every seed is "<letter><JSON body>" and readable.
private func route(for byte: UInt8) -> String {
    switch byte {
    case UInt8(ascii: "s"): "/step"
    case UInt8(ascii: "f"): "/forward"
    case UInt8(ascii: "g"): "/gradients"
    case UInt8(ascii: "e"): "/explain"
    case UInt8(ascii: "i"): "/init"
    default: ["/step", "/forward", "/gradients", "/explain", "/init"][Int(byte) % 5]
    }
}

/// Small compute limits: the limit checks are exercised, and no single input runs for seconds
/// (the service's own defaults allow about a second of work per request by design).
private let service = BackpropService(configuration: ServiceConfiguration(
    limits: Limits(maxParameters: 4_096, maxBatch: 64, maxSteps: 64, maxWork: 200_000)))

@_cdecl("LLVMFuzzerTestOneInput")
public func backpropFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let path = route(for: data[0])
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let response = service.respond(to: HTTPRequest(
        method: "POST", path: path, headers: [("Content-Type", "application/json")], body: body))
    if response.status >= 500 || response.status < 200 {
        fatalError("POST \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
    }
    do {
        _ = try JSONReader.parse(response.body)
    } catch {
        fatalError("POST \(path) answered \(response.status) with a body that is not JSON: \(error)")
    }
    return 0
}

// SwiftPM links every executable target with `main` aliased to `<module>_main` (its entry point
// renamed so tests can link executables), so this target supplies that symbol and hands control
// to libFuzzer's driver, which then behaves exactly as libFuzzer's own main would.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("BackpropFuzz_main")
public func backpropFuzzMain(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        backpropFuzzOneInput(data ?? UnsafePointer(bitPattern: 1)!, size)
    }
}
