import Foundation
import WebSocketFuzzTargets

// `ws1011-fuzz` — see scripts/fuzz.sh.
//
// Plain build:  swift run ws1011-fuzz [--corpus DIR] [TARGET...]   replays Fixtures/fuzz-corpus/<target>/*.
// Fuzz build:   WS1011_FUZZ=1 swift build --product ws1011-fuzz   (Package.swift adds -sanitize=fuzzer,
//                 -DWS1011_FUZZ and -Xlinker --export-dynamic for the project's own modules only)
//               WS1011_FUZZ_TARGET=inbound-frames .build/debug/ws1011-fuzz [libFuzzer flags] [CORPUS...]

#if WS1011_FUZZ
    exit(LibFuzzerDriver.run())
#else
    let arguments = Array(CommandLine.arguments.dropFirst())
    var corpus = ProcessInfo.processInfo.environment["WS1011_FUZZ_CORPUS"] ?? "Fixtures/fuzz-corpus"
    var targets: [FuzzTarget] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--corpus", index + 1 < arguments.count {
            corpus = arguments[index + 1]
            index += 2
            continue
        }
        guard let target = FuzzTarget(rawValue: argument) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            print("ws1011-fuzz: unknown argument '\(argument)'; usage: ws1011-fuzz [--corpus DIR] [\(names)]...")
            exit(2)
        }
        targets.append(target)
        index += 1
    }
    exit(CorpusReplay.run(directory: corpus, targets: targets.isEmpty ? FuzzTarget.allCases : targets))
#endif
