extension ProfileLoader {
    /// The starter profile file `ws1011 profiles init` prints: every section, with the lab-like values to edit.
    public static let starter = """
        {
          "format": "ws1011.profile/1",
          "name": "my-app",
          "description": "my chat backend: JSON {type, data} messages, a welcome, an agent run",
          "connect": {
            "path": "/ws",
            "query": [],
            "subprotocols": []
          },
          "auth": {
            "subprotocols": ["jwt-auth", "jwt.{token:base64url}"],
            "header": { "name": "Authorization", "value": "Bearer {token}" },
            "query": "token",
            "channel": "subprotocol",
            "selects": "fixed:jwt-auth"
          },
          "envelope": { "kind": "json", "typeKey": "type", "payloadKey": "payload" },
          "welcome": {
            "anyOf": [
              { "type": "connection_established" },
              { "type": "system_message", "fields": { "data.event": "connection_established" } }
            ],
            "within": "10s"
          },
          "heartbeat": { "kind": "message", "send": "ping", "expect": "pong", "within": "10s" },
          "conversation": [
            {
              "name": "chat",
              "step": "messages",
              "send": { "type": "user_message", "payload": { "content": "ws1011 probe {random}" } },
              "expect": { "chunks": "partial_result", "terminal": "stream_complete" },
              "within": "20s"
            },
            {
              "name": "agent run",
              "step": "agent-events",
              "send": { "type": "start_agent", "payload": { "user_request": "ws1011 diagnostic run" } },
              "expect": {
                "events": ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"],
                "order": "sequence",
                "repeats": true,
                "terminal": "agent_completed",
                "fields": ["run_id"]
              },
              "within": "60s"
            }
          ],
          "criticalEvents": ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"],
          "errorTypes": ["error", "error_message"]
        }
        """
}
