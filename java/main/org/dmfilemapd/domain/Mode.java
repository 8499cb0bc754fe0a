package org.dmfilemapd.domain;


/** What the monitor follows: the inode it was given, or whatever file is at the path. */
public enum Mode {
    INODE("inode"),
    PATH("path");

    private final String word;

    Mode(String word) {
        this.word = word;
    }

    /** The command-line word ({@code inode} or {@code path}). */
    public String word() {
        return word;
    }

    /**
     * Exact, case-sensitive parse, as {@code dm_filemapd_mode_from_string()}; throws with
     * libdm's message {@code Could not parse dmfilemapd mode: <s>} otherwise.
     */
    public static Mode parse(String s) throws UsageException {
        for (Mode m : values()) {
            if (m.word.equals(s)) {
                return m;
            }
        }
        throw new UsageException("Could not parse dmfilemapd mode: " + (s == null ? "" : s), false);
    }

    @Override
    public String toString() {
        return word;
    }
}
