// swift-tools-version:6.2
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOWebSocket", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
    .product(name: "NIOTLS", package: "swift-nio"),
    .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
]

// `scripts/fuzz.sh` builds with WS1011_FUZZ=1: libFuzzer's instrumentation (-sanitize=fuzzer) goes to the
// project's own modules only, and every dependency keeps the flags of the plain debug build, so the fuzz build
// shares the scratch path (.build) and reuses the dependencies already built there instead of compiling them
// all a second time. A plain `swift build` afterwards recompiles only the project's modules.
let fuzzing = Context.environment["WS1011_FUZZ"] == "1"
let fuzzSwiftSettings: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer"])] : []

let package = Package(
    name: "ws1011",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ws1011", targets: ["ws1011"]),
        .library(name: "WebSocketWire", targets: ["WebSocketWire"]),
        .library(name: "WebSocketDiagnosis", targets: ["WebSocketDiagnosis"]),
        .library(name: "WebSocketAuth", targets: ["WebSocketAuth"]),
        .library(name: "WebSocketProbe", targets: ["WebSocketProbe"]),
        .library(name: "WebSocketLab", targets: ["WebSocketLab"]),
        .library(name: "WebSocketScenarios", targets: ["WebSocketScenarios"]),
        // Phase tests, targets, users, traits and assertions for your own WebSocket application.
        .library(name: "WebSocketTestFramework", targets: ["WebSocketTestFramework"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    ],
    targets: [
        // The one wire vocabulary: opcodes, masking, frame headers, close payloads, the close-code registry,
        // the bounded HTTP head parser. The standard library only (no NIO), so that the sans-I/O core can use it.
        .target(name: "WebSocketWire", swiftSettings: fuzzSwiftSettings),
        // Sans-I/O core: observations, transcript, verdict, classifier, duration text. Foundation and WebSocketWire only.
        .target(name: "WebSocketDiagnosis", dependencies: ["WebSocketWire"], swiftSettings: fuzzSwiftSettings),
        // The lab's HS256 tokens: claims, minting, verification. The probe mints with it, the lab's auth service
        // and backend verify with it. JWTKit and Crypto only.
        .target(
            name: "WebSocketAuth",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: fuzzSwiftSettings
        ),
        // The instrumented client, the layered probe runner, reports, the exporter.
        .target(
            name: "WebSocketProbe",
            dependencies: [
                "WebSocketWire",
                "WebSocketDiagnosis",
                "WebSocketAuth",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
                // RFC 8441 (WebSockets over HTTP/2): the `h2` probe step only.
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ] + nio,
            swiftSettings: fuzzSwiftSettings
        ),
        // Reference backend, auth service, fault proxy, certificate authority. Never the probe: what the lab and
        // the probe share lives beneath both (WebSocketWire, WebSocketDiagnosis, WebSocketAuth).
        .target(
            name: "WebSocketLab",
            dependencies: [
                "WebSocketWire",
                "WebSocketDiagnosis",
                "WebSocketAuth",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The lab front's HTTP/2 (`proxy --http2`, RFC 8441 bridged to HTTP/1.1).
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ] + nio,
            swiftSettings: fuzzSwiftSettings
        ),
        // The reproduction catalog and its runner: a scenario starts lab topologies and probes them, so this is
        // where the lab and the probe meet (also the embedded lab a `diagnose` without a URL probes).
        .target(
            name: "WebSocketScenarios",
            dependencies: ["WebSocketWire", "WebSocketDiagnosis", "WebSocketProbe", "WebSocketLab"] + nio,
            swiftSettings: fuzzSwiftSettings,
            // The reproduction catalog (Fixtures/scenarios) compiled in: an installed binary carries it.
            plugins: ["EmbedScenarios"]
        ),
        // Writes files as Swift string literals (the tool of the EmbedScenarios plugin).
        .executableTarget(name: "ws1011-embed"),
        .plugin(name: "EmbedScenarios", capability: .buildTool(), dependencies: ["ws1011-embed"]),
        // The CLI: argument parsing into configuration structs, nothing else.
        .executableTarget(
            name: "ws1011",
            dependencies: [
                "WebSocketScenarios",
                "WebSocketLab",
                "WebSocketProbe",
                "WebSocketAuth",
                "WebSocketDiagnosis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + nio
        ),
        // The single source of truth for tests.
        .target(
            name: "WebSocketTestFramework",
            dependencies: ["WebSocketScenarios", "WebSocketLab", "WebSocketProbe", "WebSocketAuth", "WebSocketDiagnosis"] + nio,
            path: "TestFramework"
        ),
        // `make bench`: side-by-side measurements against peers (HAProxy, Python websockets).
        .executableTarget(
            name: "ws1011-bench",
            dependencies: ["WebSocketWire", "WebSocketLab", "WebSocketProbe", "WebSocketAuth", "WebSocketDiagnosis"] + nio,
            path: "Benchmarks",
            exclude: ["ProxyHost", "Peers"]
        ),
        // The fault proxy alone with a synchronous main, for `scripts/proxy-instructions.sh` (valgrind).
        .executableTarget(
            name: "ws1011-proxy-host",
            dependencies: ["WebSocketLab"] + nio,
            path: "Benchmarks/ProxyHost"
        ),
        // The libFuzzer entry points and their invariants: driven by ws1011-fuzz, replayed by the tests.
        .target(
            name: "WebSocketFuzzTargets",
            dependencies: ["WebSocketWire", "WebSocketScenarios", "WebSocketLab", "WebSocketProbe", "WebSocketDiagnosis"] + nio,
            path: "Fuzz/Targets",
            swiftSettings: fuzzSwiftSettings
        ),
        // `make fuzz`: libFuzzer entry points (built with -sanitize=fuzzer); a plain build replays the corpus.
        // `LLVMFuzzerRunDriver` is found with dlsym, hence --export-dynamic (see Fuzz/Driver/LibFuzzerDriver.swift).
        .executableTarget(
            name: "ws1011-fuzz",
            dependencies: ["WebSocketFuzzTargets"],
            path: "Fuzz/Driver",
            swiftSettings: fuzzing ? fuzzSwiftSettings + [.define("WS1011_FUZZ")] : [],
            linkerSettings: fuzzing ? [.unsafeFlags(["-sanitize=fuzzer", "-Xlinker", "--export-dynamic"])] : []
        ),
        // Helpers more than one test target uses (the descriptor census of the hostile-peer tests).
        .target(name: "WS1011TestSupport", path: "Tests/Support"),
        .testTarget(name: "WebSocketWireTests", dependencies: ["WebSocketWire"]),
        .testTarget(name: "WebSocketDiagnosisTests", dependencies: ["WebSocketDiagnosis"]),
        .testTarget(
            name: "WebSocketProbeTests",
            dependencies: [
                "WebSocketWire", "WebSocketProbe", "WebSocketAuth", "WebSocketLab", "WebSocketTestFramework", "WebSocketFuzzTargets",
                "WS1011TestSupport",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ] + nio
        ),
        .testTarget(
            name: "WebSocketLabTests",
            dependencies: [
                "WebSocketWire", "WebSocketAuth", "WebSocketProbe", "WebSocketLab", "WebSocketTestFramework", "WS1011TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ] + nio
        ),
        .testTarget(name: "WebSocketScenariosTests", dependencies: ["WebSocketScenarios", "WebSocketLab"]),
        // Against peers no one here wrote: Python websockets, uvicorn/Starlette, nginx, HAProxy, openssl s_server.
        .testTarget(
            name: "InteropTests",
            dependencies: ["WebSocketTestFramework", "WebSocketLab", "WebSocketProbe", "WebSocketScenarios", "WebSocketDiagnosis"] + nio
        ),
        .testTarget(name: "Phase1InfrastructureTests", dependencies: ["WebSocketTestFramework"] + nio),
        .testTarget(name: "Phase2IntegrationTests", dependencies: ["WebSocketTestFramework"] + nio),
        .testTarget(name: "Phase3EndToEndTests", dependencies: ["WebSocketTestFramework"] + nio),
    ],
    swiftLanguageModes: [.v6]
)
