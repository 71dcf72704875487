// The real backprop-server as a child process on 127.0.0.1 with port 0: started with flags,
// ready once it prints its `listening on` line, stopped by its PID with SIGTERM.

import Foundation

enum ServerProcessError: Error, CustomStringConvertible {
    case binaryMissing(String)
    case notReady(String)

    var description: String {
        switch self {
        case .binaryMissing(let p): "no backprop-server at \(p) (build it, or set BACKPROP_SERVER)"
        case .notReady(let s): "the server did not print its listening line: \(s)"
        }
    }
}

final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stderrPipe = Pipe()

    /// The binary SwiftPM built next to the test bundle (IntegrationTests depends on it).
    static var binary: String {
        if let p = ProcessInfo.processInfo.environment["BACKPROP_SERVER"] { return p }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("backprop-server").path
    }

    init(_ arguments: [String] = [], environment: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw ServerProcessError.binaryMissing(Self.binary) }
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--quiet"] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = stderrPipe
        try process.run()

        // Read the first stdout line on a thread, so a silent server fails the test after 30 s
        // instead of hanging it.
        let line = LineBox()
        let ready = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var bytes: [UInt8] = []
            while let chunk = try? stdout.fileHandleForReading.read(upToCount: 1), let b = chunk.first, b != 10 { bytes.append(b) }
            line.value = String(decoding: bytes, as: UTF8.self)
            ready.signal()
        }
        guard ready.wait(timeout: .now() + 30) == .success, let text = line.value,
              text.hasPrefix("listening on http://127.0.0.1:"), let port = Int(text.split(separator: ":").last ?? "") else {
            process.terminate()
            throw ServerProcessError.notReady(line.value ?? "(nothing within 30 s)")
        }
        self.port = port
    }

    /// SIGTERM, then the exit status (SIGKILL and -1 if it does not exit within `seconds`).
    @discardableResult
    func stop(within seconds: Double = 20) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

private final class LineBox: @unchecked Sendable {
    var value: String?
}
