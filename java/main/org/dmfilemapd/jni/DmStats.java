package org.dmfilemapd.jni;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A libdevmapper {@code dm_stats} handle bound to one device. Region and group getters answer
 * from the last {@link #list}; ids the listing does not have give null/false/empty rather than
 * reaching libdm's unchecked table accesses. Not thread-safe: one owner at a time.
 */
public final class DmStats implements AutoCloseable {
    @java.lang.annotation.Native static final int REGION_ROW = 4;

    static {
        NativeLibrary.load();
    }

    /**
     * Every libdevmapper call takes this: libdm keeps process-wide state (its control fd and
     * device-major table, opened lazily on first use; its log hooks) and does not say it is
     * thread-safe, and the service calls it from more than one thread for different devices.
     * Its calls are short ioctls and parses, so one lock costs nothing that matters. It also
     * orders {@link #close} after any call already past its open check.
     */
    private static final Object LIBDM = new Object();

    private final long handle;
    private final AtomicBoolean open = new AtomicBoolean(true);
    // what the shim needs to read a listing itself before libdm parses it (see list0)
    private String programId;
    private int major = -1;
    private int minor = -1;
    private Map<Long, String> tags = Map.of();
    // the last listing's fingerprint, and the filter it was taken with; null: none to compare with
    private String hashedFilter;
    private long listingHash;
    private final long[] fingerprint = new long[2]; // list0's out parameter: { taken, hash }
    // the listing's regions, read out of libdm once per listing and split by group: every
    // monitor of the device compares its group with the same listing at each remap
    private List<Region> listed;
    private Map<Long, List<Region>> byGroup;

    /** A handle whose own program id is {@code programId} (null: libdm's default). */
    public DmStats(String programId) throws DmException {
        synchronized (LIBDM) {
            handle = create0(programId);
        }
        this.programId = programId;
    }

    /** True if {@code major} is a device-mapper block major on this system. */
    public static boolean isDmMajor(int major) {
        synchronized (LIBDM) {
            return isDmMajor0(major);
        }
    }

    public void bindFd(int fd) throws DmException {
        synchronized (LIBDM) {
            changed();
            bindFd0(live(), fd);
        }
        try {
            FileStat st = Posix.fstat(fd);
            major = st.devMajor();
            minor = st.devMinor();
        } catch (NativeIoException e) {
            major = -1; // libdm bound it; only the listing check is skipped
        }
    }

    public void bindDevno(int major, int minor) throws DmException {
        synchronized (LIBDM) {
            changed();
            bindDevno0(live(), major, minor);
        }
        this.major = major;
        this.minor = minor;
    }

    public void setProgramId(String programId) throws DmException {
        synchronized (LIBDM) {
            changed();
            setProgramId0(live(), programId);
        }
        this.programId = programId == null ? "" : programId;
    }

    /**
     * Lists the regions of every program ({@code @stats_list} with no filter). Refused with a
     * {@link DmException} if a group tag names a region beyond the last one (libdm would write
     * past its table).
     */
    public void listAll() throws DmException {
        synchronized (LIBDM) {
            keepTags(list0(live(), null, true, major, minor, fingerprint));
            keepFingerprint("");
        }
    }

    /** Lists the regions of {@code programId}; null means the handle's own program id. As {@link #listAll}. */
    public void list(String programId) throws DmException {
        String filter = programId != null ? programId : this.programId;
        synchronized (LIBDM) {
            keepTags(list0(live(), filter, false, major, minor, fingerprint));
            keepFingerprint(filter);
        }
    }

    private void keepFingerprint(String filter) {
        hashedFilter = fingerprint[0] != 0 ? filter : null;
        listingHash = fingerprint[1];
    }

    /**
     * True if the kernel's listing reads exactly as it did for the last {@link #list}, by one
     * {@code @stats_list} ioctl and a 64-bit fingerprint of its text, with nothing parsed: the
     * listing (and every answer from it) is then still current. False when it differs, when
     * this handle changed regions itself since, or when there is no fingerprint to compare
     * (bound by fd, or not listed yet); the caller lists again then.
     */
    public boolean listingUnchanged() throws DmException {
        synchronized (LIBDM) {
            live();
            return hashedFilter != null && major >= 0 && listingHash0(major, minor, hashedFilter) == listingHash;
        }
    }

    /** Our own change: the next {@link #listingUnchanged} must not vouch for the last listing. */
    private void changed() {
        hashedFilter = null;
        listed = null;
        byGroup = null;
    }

    private void keepTags(String[] rows) {
        listed = null;
        byGroup = null;
        Map<Long, String> m = new HashMap<>();
        for (int i = 0; rows != null && i + 1 < rows.length; i += 2) {
            // the row goes on after the aux data with the region's options ("
            // precise_timestamps", " histogram:..."); the aux data ends at the first space
            // after '#' (libdm's own rule: an alias may hold spaces, the part after '#' not)
            String row = rows[i + 1];
            int hash = row.indexOf('#');
            int end = hash < 0 ? -1 : row.indexOf(' ', hash);
            m.put(Long.parseLong(rows[i]), end < 0 ? row : row.substring(0, end));
        }
        tags = m;
    }

    /**
     * The group tag the last listing showed on region {@code leaderId}, exactly as the kernel
     * stores it ({@code DMS_GROUP=...:<members>#<user aux>}, in the format of whichever libdm
     * wrote it), or null.
     */
    public String groupTag(long leaderId) {
        return tags.get(leaderId);
    }

    /**
     * Sends one dm message to the bound device ({@code @stats_set_aux}, {@code @stats_delete})
     * and returns the kernel's answer: for changes libdm's handle calls would only make after
     * listing the whole device again. The handle's listing is stale afterwards.
     */
    public String message(String message) throws DmException {
        if (major < 0) {
            throw new IllegalStateException("dm_stats handle not bound by device number");
        }
        synchronized (LIBDM) {
            live();
            changed();
            return message0(major, minor, message);
        }
    }

    /**
     * {@code @stats_print <id>}: the region's counters, one line per area. Read-only: the
     * counters are not cleared (other tools read them too) and the listing stays current.
     */
    public String print(long regionId) throws DmException {
        if (major < 0) {
            throw new IllegalStateException("dm_stats handle not bound by device number");
        }
        synchronized (LIBDM) {
            live();
            return message0(major, minor, "@stats_print " + regionId);
        }
    }

    public boolean regionPresent(long regionId) {
        synchronized (LIBDM) {
            return regionPresent0(live(), regionId);
        }
    }

    public boolean groupPresent(long groupId) {
        synchronized (LIBDM) {
            return groupPresent0(live(), groupId);
        }
    }

    /** Every listed region, in id order. */
    public List<Region> regions() {
        return new ArrayList<>(listed());
    }

    private List<Region> listed() {
        if (listed == null) {
            long[] rows;
            synchronized (LIBDM) {
                rows = regions0(live());
            }
            List<Region> out = new ArrayList<>(rows.length / REGION_ROW);
            for (int i = 0; i < rows.length; i += REGION_ROW) {
                out.add(new Region(rows[i], rows[i + 1], rows[i + 2], rows[i + 3]));
            }
            listed = List.copyOf(out);
        }
        return listed;
    }

    /** The members of {@code groupId}, in id order (empty if the group is not listed). */
    public List<Region> groupRegions(long groupId) {
        if (!groupPresent(groupId)) {
            return new ArrayList<>();
        }
        if (byGroup == null) {
            Map<Long, List<Region>> m = new HashMap<>();
            for (Region r : listed()) {
                if (r.groupId() >= 0) {
                    m.computeIfAbsent(r.groupId(), g -> new ArrayList<>()).add(r);
                }
            }
            byGroup = m;
        }
        return new ArrayList<>(byGroup.getOrDefault(groupId, List.of()));
    }

    public String regionProgramId(long regionId) {
        synchronized (LIBDM) {
            return regionProgramId0(live(), regionId);
        }
    }

    /** User aux data, without libdm's group tag. */
    public String regionAuxData(long regionId) {
        synchronized (LIBDM) {
            return regionAuxData0(live(), regionId);
        }
    }

    public boolean regionPrecise(long regionId) {
        synchronized (LIBDM) {
            return regionPrecise0(live(), regionId);
        }
    }

    /** Histogram bounds in ns, as given at creation (no implicit last bin); empty if none. */
    public long[] regionHistogramBounds(long regionId) {
        synchronized (LIBDM) {
            return regionBounds0(live(), regionId);
        }
    }

    /** The group's alias (libdm answers the device name when there is none), or null. */
    public String groupAlias(long groupId) {
        synchronized (LIBDM) {
            return groupAlias0(live(), groupId);
        }
    }

    /** Creates a one-area region; returns its id. Empty {@code bounds}: no histogram. */
    public long createRegion(long start, long length, boolean precise, long[] bounds, String programId,
            String auxData) throws DmException {
        synchronized (LIBDM) {
            changed();
            return createRegion0(live(), start, length, precise, bounds, programId, auxData);
        }
    }

    /** Deletes a region present in the last listing. */
    public void deleteRegion(long regionId) throws DmException {
        synchronized (LIBDM) {
            changed();
            deleteRegion0(live(), regionId);
        }
    }

    /** Groups listed, ungrouped regions ({@code "0-3,7"}); the lowest id leads. Returns the group id. */
    public long createGroup(String members, String alias) throws DmException {
        synchronized (LIBDM) {
            changed();
            return createGroup0(live(), members, alias);
        }
    }

    /** Removes a listed group, and its regions too if {@code removeRegions}. */
    public void deleteGroup(long groupId, boolean removeRegions) throws DmException {
        synchronized (LIBDM) {
            changed();
            deleteGroup0(live(), groupId, removeRegions);
        }
    }

    /** libdm's own file mapping (what {@code dmstats create --filemap} does); returns the ids. */
    public long[] createRegionsFromFd(int fd, boolean group, boolean precise, long[] bounds, String alias)
            throws DmException {
        synchronized (LIBDM) {
            changed();
            return createRegionsFromFd0(live(), fd, group, precise, bounds, alias);
        }
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            synchronized (LIBDM) {
                destroy0(handle);
            }
        }
    }

    private long live() {
        if (!open.get()) {
            throw new IllegalStateException("dm_stats handle is closed");
        }
        return handle;
    }

    private static native long create0(String programId) throws DmException;

    private static native void destroy0(long h);

    private static native void bindFd0(long h, int fd) throws DmException;

    private static native void bindDevno0(long h, int major, int minor) throws DmException;

    private static native boolean isDmMajor0(int major);

    private static native void setProgramId0(long h, String programId) throws DmException;

    /** Lists; returns the listed group tags as (id, tag) pairs, or null if not read (unbound). */
    private static native String[] list0(long h, String programId, boolean all, int major, int minor,
            long[] fingerprint) throws DmException;

    /** The fingerprint of {@code @stats_list <programId>} as the kernel answers it now. */
    private static native long listingHash0(int major, int minor, String programId) throws DmException;

    private static native String message0(int major, int minor, String message) throws DmException;

    private static native boolean regionPresent0(long h, long id);

    private static native boolean groupPresent0(long h, long id);

    private static native long[] regions0(long h);

    private static native String regionProgramId0(long h, long id);

    private static native String regionAuxData0(long h, long id);

    private static native boolean regionPrecise0(long h, long id);

    private static native long[] regionBounds0(long h, long id);

    private static native String groupAlias0(long h, long groupId);

    private static native long createRegion0(long h, long start, long len, boolean precise, long[] bounds,
            String programId, String auxData) throws DmException;

    private static native void deleteRegion0(long h, long id) throws DmException;

    private static native long createGroup0(long h, String members, String alias) throws DmException;

    private static native void deleteGroup0(long h, long groupId, boolean removeRegions) throws DmException;

    private static native long[] createRegionsFromFd0(long h, int fd, boolean group, boolean precise,
            long[] bounds, String alias) throws DmException;
}
