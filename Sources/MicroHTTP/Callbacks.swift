// The C entry points libmicrohttpd calls, and nothing else. Plain global functions in a library
// file that capture nothing (closures in main.swift's top-level lets are main-actor isolated and
// trap on MHD threads). Each recovers its Swift object through one helper and hands off at once.
internal import CMicroHTTPD
import Glibc

// MARK: Recovering Swift objects from C pointers

/// The server behind a callback's `cls`. Unretained: HTTPServer keeps the context retained
/// from MHD_start_daemon until after MHD_stop_daemon returns, so it outlives every callback.
func serverContext(from cls: UnsafeMutableRawPointer?) -> ServerContext {
    Unmanaged<ServerContext>.fromOpaque(cls!).takeUnretainedValue()
}

// MARK: Daemon callbacks (cls is the ServerContext)

/// MHD_OPTION_URI_LOG_CALLBACK: the request line has arrived. The returned pointer becomes
/// `*con_cls`. MHD marks the request "client aware" here, so NOTIFY_COMPLETED will fire for it
/// even if the headers never complete; that is where the state is released.
func microHTTPRequestStarted(
    _ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    serverContext(from: cls).beginRequest(rawURI: uri)
}

/// The access handler: called once with the head, once per body chunk, once at the end.
func microHTTPAccessHandler(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?,
    _ version: UnsafePointer<CChar>?,
    _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    let context = serverContext(from: cls)
    guard let connection, let uploadDataSize, let requestContext else { return .NO }
    // The URI logger always runs first; this only guards against an MHD that skipped it.
    let pointer = requestContext.pointee ?? context.beginRequest(rawURI: nil)
    requestContext.pointee = pointer
    // The state stays allocated until `endRequest`, after MHD's last call for this request.
    return context.handle(
        connection: connection, state: &RequestState.at(pointer).pointee, url: url, method: method,
        uploadData: uploadData, uploadDataSize: uploadDataSize)
}

/// MHD_OPTION_NOTIFY_COMPLETED: fires once for every request that got a `*con_cls`, whatever
/// its fate (answered, client gone, timeout, daemon stopped).
func microHTTPRequestCompleted(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ reason: MHD_RequestTerminationCode
) {
    guard let requestContext, let pointer = requestContext.pointee else { return }
    requestContext.pointee = nil  // a keep-alive connection's next request starts from nil
    serverContext(from: cls).endRequest(pointer)
}

/// MHD_OPTION_EXTERNAL_LOGGER: formats MHD's printf-style message and forwards it.
func microHTTPLogMessage(
    _ cls: UnsafeMutableRawPointer?, _ format: UnsafePointer<CChar>?, _ arguments: CVaListPointer?
) {
    guard let format, let arguments else { return }
    var buffer = [CChar](repeating: 0, count: 1024)  // longer messages are truncated, not lost
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    serverContext(from: cls).libraryMessage(message)
}

// MARK: Connection-scoped callbacks (cls is what the caller passed with the callback)

/// MHD_get_connection_values_n iterator: adds the bytes one header field will take in
/// HTTPHeaders to the Int that `cls` points to (ConnectionIO.readHead's, during the call).
func microHTTPMeasureHeader(
    _ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind,
    _ key: UnsafePointer<CChar>?, _ keySize: Int,
    _ value: UnsafePointer<CChar>?, _ valueSize: Int
) -> MHD_Result {
    guard let cls, key != nil else { return .YES }
    cls.assumingMemoryBound(to: Int.self).pointee += HTTPHeaders.size(
        name: keySize, value: value == nil ? 0 : valueSize)
    return .YES
}

/// MHD_get_connection_values_n iterator: writes one header field with the
/// HTTPHeaders.FieldWriter that `cls` points to (ConnectionIO.readHead's, during the call).
func microHTTPCollectHeader(
    _ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind,
    _ key: UnsafePointer<CChar>?, _ keySize: Int,
    _ value: UnsafePointer<CChar>?, _ valueSize: Int
) -> MHD_Result {
    guard let cls, let key else { return .YES }
    cls.assumingMemoryBound(to: HTTPHeaders.FieldWriter.self).pointee.write(
        name: UnsafeRawBufferPointer(start: key, count: keySize),
        value: UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : valueSize))
    return .YES
}

/// MHD_ContentReaderFreeCallback: MHD is done with a response body lent by ConnectionIO.lend;
/// `cls` is the retained ResponseBody that kept it alive.
func microHTTPReleaseResponseBody(_ cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    Unmanaged<ResponseBody>.fromOpaque(cls).release()
}

// MARK: Process-wide panic handler (no cls)

/// MHD_set_panic_func: MHD found its own state corrupt or its API misused. Say where, then
/// abort as MHD would have, but with a line in the log explaining the crash.
func microHTTPPanic(
    _ cls: UnsafeMutableRawPointer?, _ file: UnsafePointer<CChar>?, _ line: UInt32,
    _ reason: UnsafePointer<CChar>?
) {
    let place = file.map { String(cString: $0) } ?? "?"
    let why = reason.map { String(cString: $0) } ?? "no reason given"
    StandardError.writeLine("libmicrohttpd: PANIC at \(place):\(line): \(why)")
    abort()
}

/// Installs `microHTTPPanic` once per process (MHD's panic hook is a process-wide global).
let installPanicHandlerOnce: Void = MHD_set_panic_func(microHTTPPanic, nil)
