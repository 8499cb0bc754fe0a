package org.dmfilemapd.regions;

import java.util.Arrays;
import java.util.Collection;

/** libdevmapper's group descriptor syntax: ascending ids with ranges, e.g. {@code 0-3,7,9-10}. */
public final class GroupMembers {
    private GroupMembers() {
    }

    public static String describe(Collection<Long> ids) {
        // ascending and without repeats, in primitives: a group may have 10,000 members
        long[] sorted = new long[ids.size()];
        int n = 0;
        for (Long id : ids) {
            sorted[n++] = id;
        }
        Arrays.sort(sorted);
        int unique = 0;
        for (int i = 0; i < n; i++) {
            if (unique == 0 || sorted[i] != sorted[unique - 1]) {
                sorted[unique++] = sorted[i];
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < unique;) {
            int j = i;
            while (j + 1 < unique && sorted[j + 1] == sorted[j] + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(sorted[i]);
            if (j > i) {
                sb.append('-').append(sorted[j]);
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
