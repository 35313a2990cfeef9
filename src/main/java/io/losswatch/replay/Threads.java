package io.losswatch.replay;

/** Ending the replay's helper threads. */
final class Threads {
    private Threads() {
    }

    /**
     * Waits until thread has ended, running nudge (what makes it notice it should end) before each wait of
     * 100 ms; an interrupt of the caller meanwhile is kept for after, so the thread is never left running.
     */
    static void stop(Thread thread, Runnable nudge) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            nudge.run();
            try {
                thread.join(100);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
