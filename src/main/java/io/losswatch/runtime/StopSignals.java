package io.losswatch.runtime;

import java.util.List;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a requested stop. Left to the JVM, either signal runs the shutdown
 * hooks and then ends the process with 128 + the signal's number (130, 143) whatever the command
 * returns; handled here, the signal only asks the command to stop, and the command closes what it
 * started and exits with its own code: 0 after a clean stop (README, exit codes).
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to handle a signal; Kafka's own
 * tools use it too. A signal the process was started with ignored (nohup, a background job) stays ignored.
 */
public final class StopSignals {
    private StopSignals() {
    }

    /** From now on SIGINT and SIGTERM run requestStop (on the JVM's signal thread: keep it short). */
    public static void onStop(Runnable requestStop) {
        for (String name : List.of("INT", "TERM")) {
            Signal.handle(new Signal(name), signal -> requestStop.run());
        }
    }
}
