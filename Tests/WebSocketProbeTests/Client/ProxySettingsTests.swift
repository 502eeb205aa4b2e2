import Foundation
import Testing
import WebSocketProbe

/// Proxy URLs, the proxy variables and `NO_PROXY`, read as curl reads them.
@Suite("Proxy settings: URLs, environment and NO_PROXY")
struct ProxySettingsTests {
    @Test func proxyURLsParseAsCurlTakesThem() throws {
        let full = try ProxySettings.parse("http://alice:p%40ss@proxy.corp.example:3128/", source: "--proxy")
        #expect(full.host == "proxy.corp.example" && full.port == 3128 && full.username == "alice" && full.password == "p@ss")
        #expect(full.address == "proxy.corp.example:3128")
        #expect(full.secrets.contains("p@ss"))
        let bare = try ProxySettings.parse("10.0.0.5", source: "https_proxy")
        #expect(bare.port == 1080 && bare.username == nil && bare.secrets.isEmpty)
        let v6 = try ProxySettings.parse("http://[2001:db8::1]:8080", source: "--proxy")
        #expect(v6.host == "2001:db8::1" && v6.port == 8080 && v6.address == "[2001:db8::1]:8080")
    }

    @Test(arguments: [
        ("https://proxy:443", "https:// is not supported"), ("socks5://proxy:1080", "not supported"), ("http://proxy:http", "not a port"),
        ("http://proxy:3128/path", "no path"), ("http://:secret@proxy:3128", "user name"), ("http://pro xy:3128", "spaces"),
    ])
    func badProxyURLsAreClearAndNeverShowThePassword(_ text: String, _ expected: String) {
        do {
            _ = try ProxySettings.parse(text, source: "--proxy")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(
                error.description.contains(expected)
                    || error.description.contains(expected.replacingOccurrences(of: " is not supported", with: "")), "\(error.description)")
            #expect(!error.description.contains("secret"), "\(error.description)")
            #expect(error.description.contains("http://HOST:PORT"), "the form is given")
        }
    }

    @Test func theEnvironmentPicksTheVariableForTheSchemeAsCurlDoes() throws {
        let wss = try WebSocketURL(parsing: "wss://chat.example.com/ws")
        let ws = try WebSocketURL(parsing: "ws://chat.example.com/ws")
        #expect(try ProxySettings.fromEnvironment(["HTTPS_PROXY": "http://a:1"], for: wss)?.source == "HTTPS_PROXY")
        #expect(try ProxySettings.fromEnvironment(["https_proxy": "http://a:1", "ALL_PROXY": "http://b:2"], for: wss)?.host == "a")
        #expect(try ProxySettings.fromEnvironment(["http_proxy": "http://a:1"], for: ws)?.source == "http_proxy")
        #expect(try ProxySettings.fromEnvironment(["HTTP_PROXY": "http://a:1"], for: ws) == nil, "upper-case HTTP_PROXY is ignored (CGI)")
        #expect(try ProxySettings.fromEnvironment(["all_proxy": "http://b:2"], for: ws)?.host == "b")
        #expect(try ProxySettings.fromEnvironment(["https_proxy": "http://a:1", "NO_PROXY": ".example.com"], for: wss) == nil)
        #expect(throws: ProbeError.self) { try ProxySettings.fromEnvironment(["https_proxy": "ftp://a:1"], for: wss) }
    }

    @Test(arguments: [
        ("*", "anything.test", true), ("example.com", "example.com", true), ("example.com", "chat.example.com", true),
        (".example.com", "chat.example.com", true), ("example.com", "badexample.com", false), ("localhost, 127.0.0.1", "127.0.0.1", true),
        ("10.0.0.0/8", "10.20.30.40", true), ("10.0.0.0/8", "11.0.0.1", false), ("[::1]", "::1", true), ("", "example.com", false),
    ])
    func noProxyMatchesNamesDomainsAddressesAndRanges(_ list: String, _ host: String, _ bypassed: Bool) {
        #expect(ProxySettings.bypasses(list, host: host) == bypassed)
    }
}
