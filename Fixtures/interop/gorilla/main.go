// A small gorilla/websocket server for ws1011's interop tests (a Go stack no one here wrote).
//
// Built by scripts/interop-peers.sh against Debian's golang-github-gorilla-websocket-dev (GOPATH mode,
// offline). Usage: gorilla-server [-ping 500ms] [-pong-wait 1500ms] [-idle 2s] [-cap 2s]
// Binds 127.0.0.1 on a free port and prints `READY <port>` once listening.
//
// Routes, each written the way gorilla's own examples and documentation write them:
//
//	/echo       echo text messages; the Upgrader's default CheckOrigin (refuses a cross-origin Origin)
//	/panic      `defer conn.Close()`, then the handler panics on the first message (the socket drops)
//	/keepalive  the chat example's keepalive: a ping every -ping, a read deadline of -pong-wait renewed by
//	            each pong (examples/chat/client.go); an unanswered ping ends the connection at the deadline
//	/idle       an application idle timeout: a read deadline of -idle renewed by every message and every
//	            ping from the client; when it passes, the handler returns and the socket drops
//	/cap        an application per-connection cap: close 1000 "session expired" -cap after the open,
//	            whatever the traffic
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{} // CheckOrigin nil: the library's same-origin default

func echo(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		log.Printf("upgrade: %v", err)
		return
	}
	defer conn.Close()
	for {
		kind, message, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if err := conn.WriteMessage(kind, message); err != nil {
			return
		}
	}
}

func panicking(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	if _, _, err := conn.ReadMessage(); err != nil {
		return
	}
	panic("interop: handler failed after the first message")
}

func keepalive(ping, pongWait time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(pongWait))
		conn.SetPongHandler(func(string) error { conn.SetReadDeadline(time.Now().Add(pongWait)); return nil })
		done := make(chan struct{})
		defer close(done)
		go func() {
			ticker := time.NewTicker(ping)
			defer ticker.Stop()
			for {
				select {
				case <-done:
					return
				case <-ticker.C:
					if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)); err != nil {
						return
					}
				}
			}
		}()
		for {
			kind, message, err := conn.ReadMessage()
			if err != nil {
				log.Printf("keepalive: %v", err)
				return
			}
			conn.WriteMessage(kind, message)
		}
	}
}

func idle(limit time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(limit))
		conn.SetPingHandler(func(data string) error {
			conn.SetReadDeadline(time.Now().Add(limit))
			return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		for {
			kind, message, err := conn.ReadMessage()
			if err != nil {
				log.Printf("idle: %v", err)
				return
			}
			conn.SetReadDeadline(time.Now().Add(limit))
			conn.WriteMessage(kind, message)
		}
	}
}

func capped(limit time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		timer := time.AfterFunc(limit, func() {
			conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "session expired"), time.Now().Add(time.Second))
		})
		defer timer.Stop()
		for {
			kind, message, err := conn.ReadMessage()
			if err != nil {
				return
			}
			conn.WriteMessage(kind, message)
		}
	}
}

func main() {
	ping := flag.Duration("ping", 500*time.Millisecond, "keepalive ping interval (/keepalive)")
	pongWait := flag.Duration("pong-wait", 1500*time.Millisecond, "read deadline renewed by each pong (/keepalive)")
	idleLimit := flag.Duration("idle", 2*time.Second, "read deadline renewed by each message or ping (/idle)")
	capLimit := flag.Duration("cap", 2*time.Second, "close 1000 this long after the open (/cap)")
	flag.Parse()

	mux := http.NewServeMux()
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/panic", panicking)
	mux.HandleFunc("/keepalive", keepalive(*ping, *pongWait))
	mux.HandleFunc("/idle", idle(*idleLimit))
	mux.HandleFunc("/cap", capped(*capLimit))

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("READY %d\n", listener.Addr().(*net.TCPAddr).Port)
	log.Fatal(http.Serve(listener, mux))
}
