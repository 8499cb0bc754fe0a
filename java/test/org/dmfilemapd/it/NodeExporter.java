package org.dmfilemapd.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's prometheus-node-exporter with only its textfile collector, on 127.0.0.1 and a free
 * port, reading a directory of the test's. Scraped over HTTP as Prometheus would.
 */
final class NodeExporter implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus-node-exporter");
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{(.*)\\} (\\S+)$");

    final Path directory;
    private final Process process;
    private final URI uri;
    private final HttpClient http = HttpClient.newHttpClient();

    NodeExporter(Path directory) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " missing (Debian package prometheus-node-exporter; scripts/setup installs it)");
        }
        this.directory = directory;
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        uri = URI.create("http://127.0.0.1:" + port + "/metrics");
        process = new ProcessBuilder(BINARY.toString(), "--web.listen-address=127.0.0.1:" + port,
                "--collector.disable-defaults", "--collector.textfile",
                "--collector.textfile.directory=" + directory).redirectErrorStream(true)
                .redirectOutput(directory.resolveSibling("node-exporter.log").toFile()).start();
        Kernel.await("node_exporter answering on " + uri, Duration.ofSeconds(30), () -> {
            try {
                scrape();
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    String scrape() throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The samples of {@code metric} in a scrape, by their {@code path} label's value (as escaped in the text). */
    static Map<String, Double> byPath(String scrape, String metric) {
        Map<String, Double> out = new HashMap<>();
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches() && m.group(1).equals(metric)) {
                Matcher p = Pattern.compile("path=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(2));
                if (p.find()) {
                    out.put(p.group(1), Double.parseDouble(m.group(3)));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
