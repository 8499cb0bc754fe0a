package org.dmfilemapd.service;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.jni.FileStat;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;

/**
 * What {@code dmfilemapd forget} may name: an absolute path (the file's current path, the
 * path it was handed over with, or any path of the same inode), a group id, or
 * {@code major:minor:group} (a group id alone is ambiguous when several devices have it).
 */
final class ForgetTarget {
    private static final Pattern GROUP = Pattern.compile("[0-9]{1,18}");
    private static final Pattern DEVICE_GROUP = Pattern.compile("([0-9]{1,9}):([0-9]{1,9}):([0-9]{1,18})");

    private ForgetTarget() {
    }

    static boolean valid(String target) {
        return target.startsWith("/") || GROUP.matcher(target).matches() || DEVICE_GROUP.matcher(target).matches();
    }

    static String describe(String target) {
        if (target.startsWith("/")) {
            return "\"" + target + "\"";
        }
        return (DEVICE_GROUP.matcher(target).matches() ? "device:group " : "group ") + target;
    }

    static boolean matches(String target, MonitorStatus now, String handedPath) {
        if (target.startsWith("/")) {
            if (target.equals(now.path()) || target.equals(handedPath)) {
                return true;
            }
            try {
                FileStat st = Posix.stat(target);
                return st.ino() == now.ino() && st.devMajor() == now.devMajor() && st.devMinor() == now.devMinor();
            } catch (NativeIoException e) {
                return false;
            }
        }
        if (GROUP.matcher(target).matches()) {
            return Long.parseLong(target) == now.groupId();
        }
        Matcher m = DEVICE_GROUP.matcher(target);
        return m.matches() && Integer.parseInt(m.group(1)) == now.devMajor()
                && Integer.parseInt(m.group(2)) == now.devMinor() && Long.parseLong(m.group(3)) == now.groupId();
    }
}
