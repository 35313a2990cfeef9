package io.losswatch.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the browser tests share: finding Chromium, where screenshots go, and checks of the drawn page. */
final class Browser {
    private Browser() {
    }

    /**
     * Chromium, or a skipped test when it is not installed on a developer's machine. In CI
     * ({@code CI} set) a missing Chromium fails the test: {@code .ci/run} installs it.
     */
    static Chromium launch() throws IOException, InterruptedException {
        Optional<Path> exe = Chromium.find();
        boolean ci = System.getenv("CI") != null && !System.getenv("CI").isEmpty() && !"false".equals(System.getenv("CI"));
        if (exe.isEmpty() && ci) {
            throw new AssertionError("Chromium not found in CI: .ci/run must install Debian's chromium package");
        }
        assumeTrue(exe.isPresent(), "Chromium not installed (apt-get install chromium, or set CHROME_BIN)");
        return Chromium.launch(exe.get());
    }

    /** Saves a PNG in the build directory (target/ unless the build moved it); returns its path. */
    static Path save(byte[] png, String name) throws IOException {
        Path dir;
        try {
            dir = Path.of(Browser.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            dir = Path.of("target");
        }
        Path file = dir.resolve(name);
        Files.write(file, png);
        return file;
    }

    /**
     * Per model card: its name as text, whether it has a canvas and how many of the canvas's pixels
     * are drawn (not transparent). Only visible cards.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cards(Chromium browser) {
        return (List<Map<String, Object>>) browser.evaluate("""
                [...document.querySelectorAll('#models .card')].filter(c => !c.hidden).map(c => {
                  const canvas = c.querySelector('canvas');
                  let drawn = 0;
                  if (canvas && canvas.width > 0 && canvas.height > 0) {
                    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) drawn++;
                  }
                  return { name: c.querySelector('h3').textContent, canvas: !!canvas, drawn,
                           legend: [...c.querySelectorAll('.u-legend .u-label')].map(l => l.textContent) };
                })""");
    }

    static void assertNoOutsideRequests(Chromium browser, String base) {
        assertThat(browser.requests()).isNotEmpty()
                .allSatisfy(url -> assertThat(url).matches(u -> u.startsWith(base + "/") || u.startsWith("data:"),
                        "loaded from the app itself"));
    }

    static int renders(Chromium browser) {
        Object r = browser.evaluate("Number(document.body.dataset.renders || 0)");
        return ((Number) r).intValue();
    }
}
