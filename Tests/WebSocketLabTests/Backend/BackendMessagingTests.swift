import Foundation
import NIOPosix
import Testing
import WebSocketDiagnosis
import WebSocketLab
import WebSocketProbe

@Suite("Backend messaging: events, streams, errors, isolation")
struct BackendMessagingTests {
    @Test func agentRunSendsTheFiveCriticalEventsInOrderWithIDs() async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "user_message", ["content": "analyse my costs"])
            let (events, end) = await receiveUntil(connection, ["agent_completed"])
            #expect(end == nil)
            let types = events.compactMap(\.type)
            #expect(types.first == "agent_started")
            #expect(types.filter { $0 == "agent_thinking" }.count >= 2)
            #expect(types.suffix(3) == ["tool_executing", "tool_completed", "agent_completed"])
            let thinkingCount = types.filter { $0 == "agent_thinking" }.count
            #expect(
                types == ["agent_started"] + Array(repeating: "agent_thinking", count: thinkingCount)
                    + ["tool_executing", "tool_completed", "agent_completed"])
            let runIDs = Set(events.compactMap { $0.payloadString("run_id") })
            #expect(runIDs.count == 1)
            for event in events {
                #expect(event.payloadString("user_id") == "websocket-test-1")
                #expect(event.payloadString("agent_name") != nil)
                #expect(event["payload"]?["timestamp"]?.numberValue != nil)
                #expect(event["run_id"] == event["payload"]?["run_id"])
            }
            let thinking = events.filter { $0.type == "agent_thinking" }
            #expect(thinking.map { $0["payload"]?["step"]?.numberValue } == thinking.indices.map { Double($0 + 1) })
            #expect(thinking.last?["payload"]?["progress"]?.numberValue == 100)
            #expect(thinking.allSatisfy { $0.payloadString("partial_result") != nil })
            await connection.close()
        }
    }

    @Test(arguments: ["start_agent", "execute_agent"])
    func otherAgentMessageTypesStartRunsToo(type: String) async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, type, ["agent_name": "cost_optimizer"])
            let (events, _) = await receiveUntil(connection, ["agent_completed"])
            #expect(events.last?.type == "agent_completed")
            #expect(events.first?.payloadString("agent_name") == "cost_optimizer")
            await connection.close()
        }
    }

    @Test func earlyPlanUserGetsAPermissionErrorAndStaysConnected() async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, welcome) = try await connectUser(lab, email: TestUser.early.email)
            #expect(welcome?.payloadString("user_id") == "websocket-test-2")
            await sendMessage(connection, "start_agent", ["content": "x"])
            let error = await receiveJSON(connection)
            #expect(error?.type == "error_message")
            #expect(error?["code"]?.stringValue == "permission_denied")
            #expect(error?.payloadString("message")?.contains("agent_execution") == true)
            await sendMessage(connection, "ping")
            #expect(await receiveJSON(connection)?.type == "pong")
            await connection.close()
        }
    }

    @Test func streamRequestSendsIndexedChunksThenComplete() async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "stream_request", ["chunks": 7])
            let (messages, _) = await receiveUntil(connection, ["stream_complete"])
            let chunks = messages.filter { $0.type == "partial_result" }
            #expect(chunks.map { $0["payload"]?["index"]?.numberValue } == (0..<7).map { Double($0) })
            #expect(messages.last?.type == "stream_complete")
            #expect(messages.last?["payload"]?["total_chunks"]?.numberValue == 7)
            await connection.close()
        }
    }

    @Test func aHugeOrNonFiniteChunkCountIsClampedNotATrap() async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, _) = try await connectUser(lab)
            // 1e300 would trap an Int conversion: the lab clamps it (at most 1000 chunks).
            await connection.send(text: #"{"type":"stream_request","payload":{"chunks":1e300}}"#)
            let (messages, end) = await receiveUntil(connection, ["stream_complete"], timeout: .seconds(30))
            #expect(end == nil, "the connection must stay up: \(String(describing: end))")
            #expect(messages.last?["payload"]?["total_chunks"]?.numberValue == 1000)
            await connection.close()
        }
    }

    @Test func moreThanSixteenRunsInFlightOnOneConnectionAreRefusedWithAnError() async throws {
        var configuration = try testConfiguration()
        configuration.agentStepDelay = .milliseconds(300)  // keep the runs in flight while the next ones arrive
        try await withLab(configuration) { lab in
            let (connection, _) = try await connectUser(lab)
            for _ in 0..<17 { await sendMessage(connection, "stream_request", ["chunks": 5]) }
            let (messages, end) = await receiveUntil(connection, ["error_message"], timeout: .seconds(5))
            #expect(end == nil)
            let error = messages.last
            #expect(error?.type == "error_message")
            #expect(error?["code"]?.stringValue == "too_many_runs", "\(String(describing: error))")
            await connection.close()
        }
    }

    @Test func pingUnknownAndMalformedMessagesGetAnswersAndTheConnectionStays() async throws {
        try await withLab(try testConfiguration()) { lab in
            let (connection, _) = try await connectUser(lab)
            await sendMessage(connection, "ping")
            #expect(await receiveJSON(connection)?.type == "pong")
            await sendMessage(connection, "what_is_this")
            let ack = await receiveJSON(connection)
            #expect(ack?.type == "ack")
            #expect(ack?.payloadString("received_type") == "what_is_this")
            await connection.send(text: "{not json")
            let error = await receiveJSON(connection)
            #expect(error?.type == "error_message")
            #expect(error?["code"]?.stringValue == "invalid_json")
            await connection.send(text: #"{"payload": {}}"#)
            #expect(await receiveJSON(connection)?["code"]?.stringValue == "missing_type")
            #expect(await connection.isOpen)
            #expect(await connection.ping(timeout: .seconds(2)) != nil)
            let transcript = await connection.transcript()
            #expect(transcript.close.received == nil)
            await connection.close()
        }
    }

    @Test func eventsNeverCrossUsersUnderAHundredConcurrentConnections() async throws {
        try await withLab(try testConfiguration()) { lab in
            let results = try await withThrowingTaskGroup(of: (String, [LabJSON]).self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let email = "load-user-\(i)@netra-testing.example.com"
                        let (connection, welcome) = try await connectUser(lab, email: email)
                        guard welcome != nil else { return ("load-user-\(i)", []) }
                        await sendMessage(connection, "user_message", ["content": .string("user \(i)")])
                        let (events, _) = await receiveUntil(connection, ["agent_completed"], timeout: .seconds(10))
                        await connection.close()
                        return ("load-user-\(i)", events)
                    }
                }
                var all: [(String, [LabJSON])] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == 100)
            var runOwners: [String: String] = [:]
            for (user, events) in results {
                #expect(events.last?.type == "agent_completed", "user \(user) got \(events.count) events")
                for event in events {
                    #expect(event.payloadString("user_id") == user)
                    if let run = event.payloadString("run_id") {
                        #expect(runOwners[run, default: user] == user)
                        runOwners[run] = user
                    }
                }
            }
            #expect(runOwners.count == 100)
        }
    }
}
