// swift-tools-version:6.0
import PackageDescription

// Module graph (one-way): OutpostModel (pure) ← OutpostStore (SQLite) ← OutpostServer / OutpostClient ← executables.
let package = Package(
    name: "Outpost",
    platforms: [.macOS(.v13), .iOS(.v16)],
    products: [
        .library(name: "OutpostJSON", targets: ["OutpostJSON"]),
        .library(name: "OutpostModel", targets: ["OutpostModel"]),
        .library(name: "OutpostClient", targets: ["OutpostClient"]),
        .library(name: "OutpostServer", targets: ["OutpostServer"]),
        .executable(name: "outpost", targets: ["outpost"]),
        .executable(name: "outpost-server", targets: ["outpost-server"]),
        .executable(name: "outpost-bench", targets: ["outpost-bench"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // Strict RFC 8259 JSON: values, parser, canonical serializer, streaming reader.
        .target(name: "OutpostJSON", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // Pure model: JSON values, vector clocks, record envelopes, merge rules, entity schemas, wire messages.
        .target(name: "OutpostModel", dependencies: ["OutpostJSON"]),
        // SHA-256 and token helpers.
        .target(name: "OutpostCrypto"),
        // SQLite wrapper, migrations and the record table.
        .target(name: "OutpostStore", dependencies: ["CSQLite", "OutpostModel"]),
        // HTTP/1.1 over POSIX sockets: parser, server, router.
        .target(name: "OutpostHTTP"),
        // A small declarative command-line argument parser.
        .target(name: "OutpostArguments"),
        // Text for terminals: display widths (Chinese, emoji), aligned tables, output sinks.
        .target(name: "OutpostTerminal"),
        // Prometheus text exposition: counters, gauges and histograms in a lock-protected registry.
        .target(name: "OutpostMetrics"),
        .target(name: "OutpostServer", dependencies: ["OutpostModel", "OutpostStore", "OutpostHTTP", "OutpostCrypto", "OutpostMetrics"]),
        .target(name: "OutpostClient", dependencies: ["OutpostModel", "OutpostStore"]),
        .target(name: "OutpostCLI", dependencies: ["OutpostClient", "OutpostArguments", "OutpostTerminal"]),
        // Branch-server reconciliation with headquarters (a server acting as a client upstream).
        .target(name: "OutpostRelay", dependencies: ["OutpostServer", "OutpostClient"]),
        // The `outpost-server` command line (serve, admin commands, status), runnable in-process.
        .target(name: "OutpostServerCLI", dependencies: ["OutpostServer", "OutpostRelay", "OutpostClient", "OutpostArguments", "OutpostTerminal"]),
        // Test helper: child processes started with posix_spawn (Foundation's Process crashes with many open descriptors).
        .target(name: "OutpostChildProcess"),
        // Test helpers: a server in a temporary directory and in-process transports.
        .target(name: "OutpostTestSupport", dependencies: ["OutpostChildProcess", "OutpostServer", "OutpostClient", "OutpostHTTP"]),
        .executableTarget(name: "outpost", dependencies: ["OutpostCLI"]),
        .executableTarget(name: "outpost-server", dependencies: ["OutpostServerCLI", "OutpostTerminal"]),
        .executableTarget(name: "outpost-bench", dependencies: ["OutpostServer", "OutpostClient", "OutpostStore", "OutpostArguments"]),
        .testTarget(name: "OutpostJSONTests", dependencies: ["OutpostJSON"]),
        .testTarget(name: "OutpostModelTests", dependencies: ["OutpostModel", "OutpostJSON", "OutpostChildProcess"]),
        .testTarget(name: "OutpostCryptoTests", dependencies: ["OutpostCrypto"]),
        .testTarget(name: "OutpostStoreTests", dependencies: ["OutpostStore"]),
        .testTarget(name: "OutpostHTTPTests", dependencies: ["OutpostHTTP"]),
        .testTarget(name: "OutpostMetricsTests", dependencies: ["OutpostMetrics"]),
        .testTarget(name: "OutpostArgumentsTests", dependencies: ["OutpostArguments", "OutpostChildProcess"]),
        .testTarget(name: "OutpostServerTests", dependencies: ["OutpostServer", "OutpostRelay", "OutpostTestSupport", "OutpostMetrics", "OutpostServerCLI", "OutpostTerminal"]),
        .testTarget(name: "OutpostClientTests", dependencies: ["OutpostClient", "OutpostServer", "OutpostTestSupport"]),
        .testTarget(name: "OutpostEndToEndTests", dependencies: ["OutpostCLI", "OutpostTerminal", "OutpostServer", "OutpostClient", "OutpostTestSupport", "OutpostChildProcess"]),
    ]
)
