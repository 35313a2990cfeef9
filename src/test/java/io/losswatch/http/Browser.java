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

    /**
     * Per visible card with a chart: its name, its x axis labels (lines joined by a space), whether
     * two of them read the same, and the widest pair of neighbours against the room between them:
     * overlap is how many pixels two neighbouring labels overlap at most (0: none), measured in the
     * font uPlot draws its axes with.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> xTicks(Chromium browser) {
        return (List<Map<String, Object>>) browser.evaluate("""
                (() => {
                  const ctx = document.createElement('canvas').getContext('2d');
                  ctx.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
                  const width = (label) => Math.max(...label.split('\\n').map(l => ctx.measureText(l).width));
                  return [...document.querySelectorAll('#models .card')].filter(c => !c.hidden && c.dataset.xTicks).map(c => {
                    const { labels, space } = JSON.parse(c.dataset.xTicks);
                    let overlap = 0;
                    for (let i = 1; i < labels.length; i++) {
                      overlap = Math.max(overlap, (width(labels[i - 1]) + width(labels[i])) / 2 - space);
                    }
                    return { name: c.querySelector('h3').textContent, labels: labels.map(l => l.replace('\\n', ' ')),
                             repeated: new Set(labels).size !== labels.length, overlap: Math.max(0, Math.ceil(overlap)) };
                  });
                })()""");
    }

    /**
     * Pixels of a card's canvas near an RGB colour (sum of channel differences under 60, opaque),
     * counted in the canvas's columns from fromX to toX (fractions of its width).
     */
    static int pixels(Chromium browser, String model, int[] rgb, double fromX, double toX) {
        Object n = browser.evaluate("""
                (() => {
                  const card = [...document.querySelectorAll('#models .card')].find(c => c.dataset.model === %s);
                  const canvas = card && card.querySelector('canvas');
                  if (!canvas) return -1;
                  const x0 = Math.floor(canvas.width * %s), x1 = Math.ceil(canvas.width * %s);
                  const px = canvas.getContext('2d').getImageData(x0, 0, x1 - x0, canvas.height).data;
                  let n = 0;
                  for (let i = 0; i < px.length; i += 4) {
                    if (px[i + 3] > 200 && Math.abs(px[i] - %d) + Math.abs(px[i + 1] - %d) + Math.abs(px[i + 2] - %d) < 60) n++;
                  }
                  return n;
                })()""".formatted(quote(model), fromX, toX, rgb[0], rgb[1], rgb[2]));
        return ((Number) n).intValue();
    }

    /** The legend labels a card shows (those not hidden), in order. */
    @SuppressWarnings("unchecked")
    static List<String> visibleLegend(Chromium browser, String model) {
        return (List<String>) browser.evaluate("""
                [...document.querySelector('#models .card[data-model=' + JSON.stringify(%s) + ']')
                    .querySelectorAll('.u-legend .u-series')]
                  .filter(r => getComputedStyle(r).display !== 'none').map(r => r.querySelector('.u-label').textContent)"""
                .formatted(quote(model)));
    }

    /** The text of a model's card. */
    static String cardText(Chromium browser, String model) {
        return (String) browser.evaluate("document.querySelector('#models .card[data-model=' + JSON.stringify(%s) + ']').innerText"
                .formatted(quote(model)));
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
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
