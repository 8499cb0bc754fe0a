package org.dmfilemapd.service;

import java.nio.file.Path;

import org.dmfilemapd.sys.Pidfile;

/**
 * Where the service lives, all in {@code /run/dmfilemapd} (root's, like the group locks): the
 * socket commands hand files to, jsvc's pidfile, the lock that makes the service one of a
 * kind, and the state a restarted service re-adopts.
 */
public final class ServicePaths {
    private ServicePaths() {
    }

    public static Path socket() {
        return Pidfile.dir().resolve("dmfilemapd.sock");
    }

    public static Path pidfile() {
        return Pidfile.dir().resolve("dmfilemapd.pid");
    }

    static Path lock() {
        return Pidfile.dir().resolve("service.lock");
    }

    static Path state() {
        return Pidfile.dir().resolve("state");
    }
}
