// swift-tools-version: 6.1
// Backprop: an HTTP JSON service that does backpropagation for anyone who asks.
//
// Dependencies point one way:
//   backprop-server → BackpropAPI → {Backprop, ExplanationText, MicroHTTP, JSONCodec, Playground};
//   ExplanationText → Backprop; MicroHTTP → CMicroHTTPD;
//   Backprop → CBLAS (large matrix products only).
// The core (Backprop) has no Foundation and no HTTP; its one C dependency is BLAS, behind Matrix.swift.
import PackageDescription

let package = Package(
    name: "Backprop",
    products: [
        .executable(name: "backprop-server", targets: ["backprop-server"]),
        .library(name: "Backprop", targets: ["Backprop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // exp, tanh, log1p without Foundation or a libm import in the core.
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // libmicrohttpd through pkg-config; the shim holds only what Swift cannot call (variadics).
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // OpenBLAS through pkg-config, for the core's large matrix products (Matrix.swift).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // mimalloc, the server's malloc, for its options (Allocator.swift); see serverAllocator.
        .systemLibrary(name: "CMimalloc", providers: [.apt(["libmimalloc-dev"])]),
        .target(
            name: "Backprop",
            dependencies: [.product(name: "RealModule", package: "swift-numerics"), "CBLAS"]
        ),
        // /explain's LaTeX and plain text, written from the core's structured derivation.
        .target(name: "ExplanationText", dependencies: ["Backprop"]),
        .target(name: "JSONCodec"),
        .target(name: "MicroHTTP", dependencies: ["CMicroHTTPD"]),
        // The playground's page, scripts and styles (GET /), embedded in the binary at build time.
        .target(name: "Playground", resources: [.embedInCode("page")]),
        .target(
            name: "BackpropAPI",
            dependencies: ["Backprop", "ExplanationText", "JSONCodec", "MicroHTTP", "Playground"],
            // Resources/openapi.yaml is a link to the repository's openapi.yaml.
            resources: [.embedInCode("Resources/openapi.yaml")]
        ),
        .executableTarget(
            name: "backprop-server",
            dependencies: [
                "Backprop", "BackpropAPI", "MicroHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + serverAllocator
        ),
        // Benchmarks (release builds, never part of the test run): scripts/bench.sh runs them all;
        // README.md, "Performance", has the figures.
        .executableTarget(name: "CoreBenchmark", dependencies: ["Backprop"], path: "Benchmarks/CoreBenchmark"),
        .executableTarget(name: "JSONBenchmark", dependencies: ["JSONCodec"], path: "Benchmarks/JSONBenchmark"),
        .executableTarget(name: "APIBenchmark", dependencies: ["BackpropAPI", "MicroHTTP"], path: "Benchmarks/APIBenchmark"),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop"]),
        .testTarget(name: "ExplanationTextTests", dependencies: ["Backprop", "ExplanationText"]),
        .testTarget(name: "JSONCodecTests", dependencies: ["JSONCodec"]),
        .testTarget(name: "MicroHTTPTests", dependencies: ["MicroHTTP", "HTTPTestClient"]),
        // Test support, not shipped: a raw-socket HTTP client, and the request table shared by
        // the in-process and the over-HTTP API tests.
        .target(name: "HTTPTestClient", path: "Tests/HTTPTestClient"),
        .target(name: "APITestCases", dependencies: ["HTTPTestClient"], path: "Tests/APITestCases"),
        .testTarget(name: "BackpropAPITests", dependencies: ["BackpropAPI", "Backprop", "MicroHTTP", "APITestCases"]),
        .testTarget(name: "IntegrationTests", dependencies: ["APITestCases", "backprop-server"]),
    ]
)

// The server's malloc: mimalloc (Debian libmimalloc-dev, linked by the CMimalloc module) replaces
// glibc's for the whole process. A small request makes ~60 short-lived allocations, and glibc
// spends ~11k instructions of the request's ~165k on them (callgrind, README "Performance").
// Sanitizer builds bring their own allocator and must not get a second one: scripts/hardening.sh
// sets BACKPROP_SYSTEM_MALLOC=1.
var serverAllocator: [Target.Dependency] {
    Context.environment["BACKPROP_SYSTEM_MALLOC"] == "1" ? [] : [.target(name: "CMimalloc", condition: .when(platforms: [.linux]))]
}

// The libFuzzer target (Fuzz/), only when asked for: `BACKPROP_FUZZ=1 swift build -c release
// --scratch-path .build-fuzz --product BackpropFuzz -Xswiftc -sanitize=fuzzer,address` (-Xswiftc
// instruments the libraries too; scripts/hardening.sh --only fuzz builds and runs it).
if Context.environment["BACKPROP_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "BackpropFuzz",
        dependencies: ["BackpropAPI", "Backprop", "JSONCodec", "MicroHTTP"],
        path: "Fuzz/Target",
        swiftSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"])]
    ))
}
