"""A Django Channels application served by Daphne for ws1011's interop tests (a stack no one here wrote).

Usage: python channels_app.py <port> [daphne options…]
Configures Django in this process, then runs Daphne's own command line (`daphne.cli.CommandLineInterface`)
on 127.0.0.1:<port> with the options given (e.g. `--websocket_timeout 2`, `--ping-interval 1`,
`--ping-timeout 1`). The test waits for the port to accept connections.

Routes (a `URLRouter`):
  /echo/     a WebsocketConsumer that echoes text
  /raise/    a WebsocketConsumer whose receive() raises after accept (Daphne's handle_exception decides)
  /raise-connect/  a WebsocketConsumer whose connect() raises before accepting
  /guarded/  the echo consumer behind AllowedHostsOriginValidator, ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
"""
import os
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=["channels"],
    ASGI_APPLICATION="channels_app.application",
    SECRET_KEY="ws1011-interop-not-a-secret",
    LOGGING_CONFIG=None,
)
django.setup()

from channels.generic.websocket import WebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402


class Echo(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        self.send(text_data=text_data)


class Raise(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        raise RuntimeError("interop: consumer failed after accept")


class RaiseOnConnect(WebsocketConsumer):
    def connect(self):
        raise RuntimeError("interop: consumer failed before accept")


application = ProtocolTypeRouter({
    "websocket": URLRouter([
        path("echo/", Echo.as_asgi()),
        path("raise/", Raise.as_asgi()),
        path("raise-connect/", RaiseOnConnect.as_asgi()),
        path("guarded/", AllowedHostsOriginValidator(Echo.as_asgi())),
    ]),
})

if __name__ == "__main__":
    sys.modules.setdefault("channels_app", sys.modules["__main__"])
    from daphne.cli import CommandLineInterface

    port = sys.argv[1]
    CommandLineInterface().run(["-b", "127.0.0.1", "-p", port, *sys.argv[2:], "channels_app:application"])
