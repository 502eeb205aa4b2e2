// swift-tools-version:6.2
// A package of its own that depends on ws1011 and writes its own Phase 1/2/3 tests for its own
// WebSocket app (EchoChat) and its own reproduction case. ws1011's CI builds and tests it.
import PackageDescription

let package = Package(
    name: "ConsumerPackage",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ws1011", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The application under test: a small chat WebSocket server.
        .target(
            name: "EchoChat",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ChatPhaseTests",
            dependencies: [
                "EchoChat",
                .product(name: "WebSocketTestFramework", package: "ws1011"),
                .product(name: "WebSocketProbe", package: "ws1011"),
                .product(name: "WebSocketLab", package: "ws1011"),
                .product(name: "WebSocketScenarios", package: "ws1011"),
                .product(name: "WebSocketDiagnosis", package: "ws1011"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
