// An embedded Tomcat with JSR-356 (Jakarta WebSocket) endpoints for ws1011's interop tests (a Java
// servlet container no one here wrote).
//
// Compiled by scripts/interop-peers.sh with javac against Debian's libtomcat10-java jars.
// Usage: java -cp <classes>:<tomcat jars> InteropServer [idleMillis]
// Binds 127.0.0.1 on a free port and prints `READY <port>` once listening.
//
// Endpoints, written the way the Jakarta WebSocket API documents them:
//   /echo    echo text messages
//   /throw   @OnMessage throws and the endpoint has no @OnError (the container decides the close)
//   /idle    session.setMaxIdleTimeout(idleMillis) (default 2000): the container's own idle timeout
//   /origin  echo behind a Configurator.checkOrigin that allows only this host's own origin
//            (http://127.0.0.1:<port> or http://localhost:<port>); a request without Origin is refused
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.apache.tomcat.websocket.server.WsServerContainer;

public final class InteropServer {
    static volatile long idleMillis = 2000;
    static volatile int port;

    public static void main(String[] args) throws Exception {
        if (args.length > 0) idleMillis = Long.parseLong(args[0]);
        File base = Files.createTempDirectory("ws1011-tomcat").toFile();
        base.deleteOnExit();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.getAbsolutePath());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.getAbsolutePath());
        context.addServletContainerInitializer(new WsSci(), null);
        context.addApplicationListener(Endpoints.class.getName());
        // The WebSocket filter runs only on requests mapped to a servlet: map the default servlet to "/".
        Tomcat.addServlet(context, "default", new DefaultServlet());
        context.addServletMappingDecoded("/", "default");
        tomcat.start();
        port = connector.getLocalPort();
        System.out.println("READY " + port);
        System.out.flush();
        tomcat.getServer().await();
    }

    /** Registers the endpoints when the context starts; the container checks session expiry every second. */
    public static final class Endpoints implements ServletContextListener {
        @Override
        public void contextInitialized(ServletContextEvent event) {
            ServerContainer container = (ServerContainer) event.getServletContext().getAttribute(ServerContainer.class.getName());
            try {
                container.addEndpoint(Echo.class);
                container.addEndpoint(Throwing.class);
                container.addEndpoint(Idle.class);
                container.addEndpoint(Guarded.class);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            ((WsServerContainer) container).setProcessPeriod(1);
        }
    }

    @ServerEndpoint("/echo")
    public static final class Echo {
        @OnMessage
        public String onMessage(String message) { return message; }
    }

    @ServerEndpoint("/throw")
    public static final class Throwing {
        @OnMessage
        public String onMessage(String message) { throw new IllegalStateException("interop: handler failed"); }
    }

    @ServerEndpoint("/idle")
    public static final class Idle {
        @OnOpen
        public void onOpen(Session session) { session.setMaxIdleTimeout(idleMillis); }

        @OnMessage
        public String onMessage(String message) { return message; }
    }

    /** Allows only this server's own origin: the same-origin check many applications write. */
    public static final class SameOrigin extends ServerEndpointConfig.Configurator {
        @Override
        public boolean checkOrigin(String origin) {
            if (origin == null) return false;
            try {
                URI uri = new URI(origin);
                String host = uri.getHost();
                return ("127.0.0.1".equals(host) || "localhost".equals(host)) && uri.getPort() == port;
            } catch (Exception e) {
                return false;
            }
        }
    }

    @ServerEndpoint(value = "/origin", configurator = SameOrigin.class)
    public static final class Guarded {
        @OnMessage
        public String onMessage(String message) { return message; }
    }
}
