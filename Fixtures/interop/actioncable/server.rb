# Action Cable (Rails 6.1, Debian's ruby-actioncable) under Puma, without the rest of Rails: one
# ActionCable::Server::Base per route, each with its own configuration and connection class, as an
# application would mount them. Usage: ruby server.rb [RESTART_AFTER_SECONDS]; listens on a free loopback
# port and prints `READY <port>` once it accepts connections.
#
#   /cable          a connection that identifies nobody and a channel; request forgery protection off
#                   (welcome, then a ping every 3 s: server/connections.rb BEAT_INTERVAL)
#   /guarded        the default Origin check (allowed_request_origins empty, allow_same_origin_as_host):
#                   an upgrade without Origin gets 404 "Page not found" (connection/base.rb
#                   respond_to_invalid_request)
#   /unauthorized   connect calls reject_unauthorized_connection: {"type":"disconnect","reason":
#                   "unauthorized","reconnect":false}, then close 1000
#   /restart        ActionCable's own server.restart RESTART_AFTER_SECONDS after the first connection:
#                   {"type":"disconnect","reason":"server_restart","reconnect":true} to every connection,
#                   then close
#   /raise          connect raises: the worker logs the exception, no welcome, no pings
$stdout.sync = true
$stderr.sync = true

require "logger"
require "action_cable"
require "rack"
require "puma"
require "puma/server"

restart_after = Float(ARGV.fetch(0, "1.5"))

module Interop
  class Connection < ActionCable::Connection::Base
  end

  class Unauthorized < ActionCable::Connection::Base
    def connect
      reject_unauthorized_connection
    end
  end

  class Raising < ActionCable::Connection::Base
    def connect
      raise "connect failed: the session store is unreachable"
    end
  end

  class Restarting < ActionCable::Connection::Base
    class << self
      attr_accessor :restart_after, :scheduled
    end

    def connect
      return if self.class.scheduled
      self.class.scheduled = true
      cable = server
      Thread.new do
        sleep self.class.restart_after
        cable.restart
      end
    end
  end

  class EchoChannel < ActionCable::Channel::Base
    def subscribed
      stream_from "echo"
    end

    def speak(data)
      transmit(data)
    end
  end
end

Interop::Restarting.restart_after = restart_after

def cable_server(connection_class, forgery_protection: false)
  config = ActionCable::Server::Configuration.new
  config.logger = Logger.new($stderr)
  config.log_tags = []
  config.cable = { "adapter" => "async" }
  config.connection_class = -> { connection_class }
  config.worker_pool_size = 4
  config.disable_request_forgery_protection = !forgery_protection
  ActionCable::Server::Base.new(config: config)
end

# The process-wide server (ActionCable.server) logs for the workers.
ActionCable.server.config.logger = Logger.new($stderr)

app = Rack::URLMap.new(
  "/cable" => cable_server(Interop::Connection),
  "/guarded" => cable_server(Interop::Connection, forgery_protection: true),
  "/unauthorized" => cable_server(Interop::Unauthorized),
  "/restart" => cable_server(Interop::Restarting),
  "/raise" => cable_server(Interop::Raising),
)

server = Puma::Server.new(app, Puma::Events.stdio, min_threads: 2, max_threads: 8)
server.add_tcp_listener("127.0.0.1", 0)
thread = server.run
puts "READY #{server.connected_ports.first}"
thread.join
