import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stand-in for testcontainers/ryuk (built by .ci/docker-up where that image cannot be pulled): the
 * resource reaper's protocol on port 8080. A client sends filter lines in query form
 * ({@code label=org.testcontainers.sessionId%3Dabc&label=...}) and gets {@code ACK} for each; once
 * every client has disconnected and none came back for RYUK_RECONNECTION_TIMEOUT (default 10 s), the
 * containers, networks and volumes matching any filter are removed through the Docker socket and the
 * reaper exits. It also exits if no client connects within RYUK_CONNECTION_TIMEOUT (default 60 s).
 */
public final class Ryuk {
    private static final String SOCKET = "/var/run/docker.sock";
    private static final Set<String> FILTERS = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger CONNECTED = new AtomicInteger();
    private static volatile long lastChange = System.currentTimeMillis();
    private static volatile boolean everConnected;

    public static void main(String[] args) throws Exception {
        long connectTimeout = seconds("RYUK_CONNECTION_TIMEOUT", 60);
        long reconnectTimeout = seconds("RYUK_RECONNECTION_TIMEOUT", 10);
        ServerSocket server = new ServerSocket(Integer.parseInt(System.getenv().getOrDefault("RYUK_PORT", "8080")));
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket client = server.accept();
                    new Thread(() -> serve(client)).start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        System.out.println("Started");
        System.out.flush();
        while (true) {
            Thread.sleep(500);
            long idle = System.currentTimeMillis() - lastChange;
            if (CONNECTED.get() == 0 && (everConnected ? idle > reconnectTimeout : idle > connectTimeout)) {
                break;
            }
        }
        server.close();
        prune();
    }

    private static long seconds(String variable, long fallback) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            return fallback * 1000;
        }
        return Long.parseLong(value.replaceAll("[^0-9]", "")) * 1000;
    }

    private static void serve(Socket client) {
        CONNECTED.incrementAndGet();
        everConnected = true;
        lastChange = System.currentTimeMillis();
        try (client; BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = client.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    FILTERS.add(filterJson(line.strip()));
                    System.out.println("Adding " + line.strip());
                }
                out.write("ACK\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // a client that went away is a disconnection like any other
        } finally {
            CONNECTED.decrementAndGet();
            lastChange = System.currentTimeMillis();
        }
    }

    /** label=a%3Db&label=c%3Dd -> {"label":["a=b","c=d"]}: Docker's filters parameter. */
    static String filterJson(String query) {
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            filters.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        StringBuilder json = new StringBuilder("{");
        filters.forEach((key, values) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(quote(key)).append(":[");
            for (int i = 0; i < values.size(); i++) {
                json.append(i > 0 ? "," : "").append(quote(values.get(i)));
            }
            json.append(']');
        });
        return json.append('}').toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void prune() {
        int containers = 0;
        int networks = 0;
        Pattern id = Pattern.compile("\"Id\"\\s*:\\s*\"([0-9a-f]+)\"");
        for (String filter : FILTERS) {
            String encoded = URLEncoder.encode(filter, StandardCharsets.UTF_8);
            try {
                Matcher m = id.matcher(docker("GET", "/containers/json?all=1&filters=" + encoded));
                while (m.find()) {
                    docker("DELETE", "/containers/" + m.group(1) + "?force=1&v=1");
                    containers++;
                }
                m = id.matcher(docker("GET", "/networks?filters=" + encoded));
                while (m.find()) {
                    docker("DELETE", "/networks/" + m.group(1));
                    networks++;
                }
                docker("POST", "/volumes/prune?filters=" + encoded);
            } catch (IOException e) {
                System.out.println("Cannot prune " + filter + ": " + e.getMessage());
            }
        }
        System.out.println("Removed " + containers + " container(s), " + networks + " network(s)");
    }

    /** One request to the Docker engine over its Unix socket (HTTP/1.0: the engine closes after the answer). */
    private static String docker(String method, String path) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(SOCKET))) {
            String request = method + " " + path + " HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n";
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                response.write(buffer.array(), 0, buffer.limit());
                buffer.clear();
            }
            String text = response.toString(StandardCharsets.UTF_8);
            int body = text.indexOf("\r\n\r\n");
            return body < 0 ? "" : text.substring(body + 4);
        }
    }
}
