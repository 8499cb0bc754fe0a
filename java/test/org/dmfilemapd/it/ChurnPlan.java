package org.dmfilemapd.it;

import java.util.Random;

/**
 * A seeded, deterministic sequence of allocation-changing operations on one monitored file,
 * rendered as shell commands. The plan keeps its own model of the file's size, so the same
 * seed always gives the same commands whatever the filesystem allocates.
 *
 * <p>Sizes are whole MiB and the file stays within {@value #MAX_MB} MiB, which bounds its
 * extent count (and so the group's descriptor) well below what one dm message can carry.
 * The first MiB is never punched nor truncated away: a file with no extents ends the daemon
 * by design (P5), which is a separate test, not churn.
 */
final class ChurnPlan {
    static final int MAX_MB = 24;
    static final int INITIAL_MB = 8;

    /** What the next operation does, for the counters. */
    enum Kind {
        FALLOCATE, PUNCH, APPEND, TRUNCATE, WRITE, RENAME, REPLACE, REFLINK_REWRITE
    }

    record Op(Kind kind, String command) {
    }

    private final Random random;
    private final boolean pathMode;
    private final boolean reflink;
    private final String dir;
    private final String[] names;
    private int current;
    private int sizeMb = INITIAL_MB;

    /**
     * {@code names}: the names the file may have in inode mode (renames cycle through them);
     * path mode keeps {@code names[0]} and replaces the file at that path instead.
     */
    ChurnPlan(long seed, boolean pathMode, boolean reflink, String dir, String... names) {
        this.random = new Random(seed);
        this.pathMode = pathMode;
        this.reflink = reflink;
        this.dir = dir;
        this.names = names;
    }

    /** The file's path now (after the operations returned so far). */
    String path() {
        return dir + "/" + names[current];
    }

    Op next() {
        String f = Sh.q(path());
        int pick = random.nextInt(100);
        if (pick < 20) {
            int off = random.nextInt(MAX_MB - 1);
            int len = 1 + random.nextInt(Math.min(4, MAX_MB - off));
            sizeMb = Math.max(sizeMb, off + len);
            return new Op(Kind.FALLOCATE, "fallocate -o " + off + "M -l " + len + "M " + f);
        }
        if (pick < 38) {
            int off = 1 + random.nextInt(MAX_MB - 1);
            int len = 1 + random.nextInt(3);
            return new Op(Kind.PUNCH, "fallocate -p -o " + off + "M -l " + len + "M " + f);
        }
        if (pick < 50) {
            int len = 1 + random.nextInt(3);
            if (sizeMb + len <= MAX_MB) {
                sizeMb += len;
                return new Op(Kind.APPEND, "dd if=/dev/zero of=" + f + " bs=1M count=" + len
                        + " oflag=append conv=notrunc,fsync status=none");
            }
            // full: shrink instead (same draw, so the sequence stays fixed)
            sizeMb = 2 + random.nextInt(MAX_MB / 2);
            return new Op(Kind.TRUNCATE, "truncate -s " + sizeMb + "M " + f);
        }
        if (pick < 62) {
            sizeMb = 2 + random.nextInt(MAX_MB - 1);
            return new Op(Kind.TRUNCATE, "truncate -s " + sizeMb + "M " + f);
        }
        if (pick < 76) {
            int off = random.nextInt(MAX_MB - 1);
            int len = 1 + random.nextInt(Math.min(3, MAX_MB - off));
            sizeMb = Math.max(sizeMb, off + len);
            return new Op(Kind.WRITE, write(f, off, len));
        }
        if (pick < 88) {
            if (pathMode) {
                // a new file written beside the path, renamed over it
                String tmp = Sh.q(path() + ".new");
                sizeMb = 1 + random.nextInt(MAX_MB / 2);
                return new Op(Kind.REPLACE, "fallocate -l " + sizeMb + "M " + tmp + " && mv " + tmp + " " + f);
            }
            int to = (current + 1 + random.nextInt(names.length - 1)) % names.length;
            String from = f;
            current = to;
            return new Op(Kind.RENAME, "mv " + from + " " + Sh.q(path()));
        }
        // copy-on-write: share the blocks with a snapshot, then overwrite part of the original
        int off = random.nextInt(Math.max(1, sizeMb - 1));
        int len = 1 + random.nextInt(2);
        sizeMb = Math.max(sizeMb, off + len);
        if (!reflink) {
            return new Op(Kind.WRITE, write(f, off, len));
        }
        String snap = Sh.q(path() + ".snap");
        return new Op(Kind.REFLINK_REWRITE, "cp --reflink=always " + f + " " + snap + " && " + write(f, off, len)
                + " && rm " + snap);
    }

    private static String write(String f, int offMb, int lenMb) {
        return "dd if=/dev/urandom of=" + f + " bs=1M seek=" + offMb + " count=" + lenMb
                + " conv=notrunc,fsync status=none";
    }
}
