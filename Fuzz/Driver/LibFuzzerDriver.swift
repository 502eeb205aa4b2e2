#if WS1011_FUZZ
    import Foundation
    import WebSocketFuzzTargets

    #if canImport(Glibc)
        import Glibc
    #elseif canImport(Darwin)
        import Darwin
    #endif

    /// The libFuzzer build (`-sanitize=fuzzer -DWS1011_FUZZ`): SwiftPM links the executable's own `main`, so
    /// libFuzzer's `main` never runs; we call its documented `LLVMFuzzerRunDriver` instead (found with `dlsym`,
    /// which needs `-Xlinker --export-dynamic`). The target comes from `WS1011_FUZZ_TARGET`; argv goes to libFuzzer.
    enum LibFuzzerDriver {
        typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
        typealias RunDriver =
            @convention(c) (
                UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, TestOneInput
            ) -> CInt

        /// Runs libFuzzer on the target named by `WS1011_FUZZ_TARGET`; returns its exit status.
        static func run() -> Int32 {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            guard let name = ProcessInfo.processInfo.environment["WS1011_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
                FileHandle.standardError.write(Data("ws1011-fuzz: set WS1011_FUZZ_TARGET to one of: \(names)\n".utf8))
                return 2
            }
            LibFuzzerTarget.current = target
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "LLVMFuzzerRunDriver") else {
                FileHandle.standardError.write(
                    Data(
                        "ws1011-fuzz: LLVMFuzzerRunDriver not found: build with -Xswiftc -sanitize=fuzzer -Xlinker --export-dynamic\n".utf8)
                )
                return 2
            }
            let driver = unsafeBitCast(symbol, to: RunDriver.self)
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            return driver(&argc, &argv, LLVMFuzzerTestOneInput)
        }
    }

    /// The target libFuzzer drives (set once before the driver starts, read on its thread).
    enum LibFuzzerTarget {
        nonisolated(unsafe) static var current: FuzzTarget = .upgradeResponse
    }

    /// libFuzzer's entry point.
    @_cdecl("LLVMFuzzerTestOneInput")
    func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data, size > 0 else {
            LibFuzzerTarget.current.run([])
            return 0
        }
        LibFuzzerTarget.current.run(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
#endif
