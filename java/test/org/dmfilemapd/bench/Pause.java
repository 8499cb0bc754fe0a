package org.dmfilemapd.bench;

/** Sleeps that the measurements are made of (poll periods, quiet spells). */
final class Pause {
    private Pause() {
    }

    static void ms(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
