package org.dmfilemapd.service;

import java.util.ArrayList;
import java.util.List;

import org.dmfilemapd.domain.MonitorStatus;
import org.dmfilemapd.handover.ProtocolException;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;
import org.dmfilemapd.handover.Wire;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.UnixSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the socket on one thread: each connection is checked ({@code SO_PEERCRED}: root
 * only), gets one request ({@value #REQUEST_TIMEOUT_MS} ms to send it, one bounded message)
 * and its answer, and is closed, except a foreground hand-over's, which then waits for its
 * monitor's result. Whatever a client sends (a foreign uid, garbage, too much, too many
 * fds, nothing) is refused and logged with the reason; running monitors are not touched.
 */
final class HandoverServer {
    private static final Logger LOG = LoggerFactory.getLogger("dmfilemapd.service");
    static final int REQUEST_TIMEOUT_MS = 5000;

    private final UnixSocket listener;
    private final DmfilemapdService service;
    private final Thread thread;
    private volatile boolean stopped;

    HandoverServer(UnixSocket listener, DmfilemapdService service) {
        this.listener = listener;
        this.service = service;
        this.thread = new Thread(this::run, "handover");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** No more connections; returns once the thread ended (or after a second). */
    void stop() {
        stopped = true;
        listener.shutdown();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean isStop(byte[] data) {
        try {
            return Wire.decodeRequest(data) instanceof Request.Stop;
        } catch (ProtocolException e) {
            return false;
        }
    }

    private void run() {
        while (!stopped) {
            UnixSocket conn;
            try {
                conn = listener.accept();
            } catch (NativeIoException e) {
                if (!stopped) {
                    LOG.error("Cannot accept connections on {}: {}", ServicePaths.socket(), e.getMessage());
                    backOff();
                }
                continue;
            }
            boolean keep = false;
            try {
                keep = serve(conn);
            } catch (RuntimeException e) {
                LOG.error("Failure while serving a connection", e);
            } finally {
                if (!keep) {
                    conn.close();
                }
            }
        }
    }

    /** Out of fds or memory: let monitors end and free some before trying again. */
    private static void backOff() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Answers one connection; true when it stays open (a foreground hand-over) or another thread answers it. */
    private boolean serve(UnixSocket conn) {
        UnixSocket.PeerCredentials peer;
        try {
            peer = conn.peerCredentials();
        } catch (NativeIoException e) {
            LOG.warn("Refused a connection: {}", e.getMessage());
            return false;
        }
        if (peer.uid() != 0) {
            LOG.warn("Refused a connection from pid {} (uid {}, gid {}): only root may use the service.", peer.pid(),
                    peer.uid(), peer.gid());
            reply(conn, new Reply.Refused("permission denied: only root may use the dmfilemapd service"));
            return false;
        }
        UnixSocket.Message msg;
        try {
            msg = conn.receive(REQUEST_TIMEOUT_MS);
        } catch (NativeIoException e) {
            String why = switch (e.errno()) {
                case UnixSocket.EAGAIN -> "no request within " + REQUEST_TIMEOUT_MS + " ms";
                case UnixSocket.EMSGSIZE -> "request longer than " + UnixSocket.MAX_MESSAGE + " bytes";
                case UnixSocket.EBADMSG -> "more than one file descriptor with the request";
                default -> e.getMessage();
            };
            LOG.warn("Refused a request from pid {}: {}.", peer.pid(), why);
            reply(conn, new Reply.Refused("refused: " + why));
            return false;
        }
        if (msg == null) {
            return false; // connected and left
        }
        Request req;
        try {
            req = Wire.decodeRequest(msg.data());
        } catch (ProtocolException e) {
            DmfilemapdService.closeQuietly(msg.fd());
            LOG.warn("Refused a malformed request from pid {}: {}.", peer.pid(), e.getMessage());
            reply(conn, new Reply.Refused("malformed request: " + e.getMessage()));
            return false;
        }
        if (!(req instanceof Request.Monitor) && msg.fd() >= 0) {
            DmfilemapdService.closeQuietly(msg.fd());
            LOG.warn("Refused a request from pid {}: a file descriptor came with a request that takes none.",
                    peer.pid());
            reply(conn, new Reply.Refused("malformed request: unexpected file descriptor"));
            return false;
        }
        if (req instanceof Request.Monitor m) {
            return monitor(conn, peer, m, msg.fd());
        } else if (req instanceof Request.Status) {
            service.metrics().answerStatus(conn); // after a collection, off this thread
            return true;
        } else if (req instanceof Request.Metrics m) {
            service.metrics().answer(conn, m.openMetrics());
            return true;
        } else if (req instanceof Request.Forget f) {
            forget(conn, peer, f.target());
        } else {
            reply(conn, new Reply.Refused("stop is only for the connection of a foreground hand-over"));
        }
        return false;
    }

    private boolean monitor(UnixSocket conn, UnixSocket.PeerCredentials peer, Request.Monitor m, int fd) {
        if (fd < 0) {
            LOG.warn("Refused a hand-over of \"{}\" from pid {}: no file descriptor came with it.", m.path(),
                    peer.pid());
            reply(conn, new Reply.Refused("malformed request: no file descriptor came with the hand-over"));
            return false;
        }
        DmfilemapdService.Outcome out = service.handOver(m, fd, conn, peer.pid());
        boolean sent = reply(conn, out.reply());
        if (out.afterReply() == null) {
            return false;
        }
        if (!sent && m.foreground()) {
            // the waiting command is gone before it knew: as if it had been stopped at once
            LOG.warn("The foreground command (pid {}) of \"{}\" left before the answer.", peer.pid(), m.path());
        }
        out.afterReply().run();
        return m.foreground();
    }

    private void forget(UnixSocket conn, UnixSocket.PeerCredentials peer, String target) {
        if (!ForgetTarget.valid(target)) {
            reply(conn, new Reply.Refused("forget takes an absolute path, a group id or major:minor:group, not \""
                    + target + "\""));
            return;
        }
        List<MonitorStatus> forgotten = new ArrayList<>();
        Reply.Refused refused = service.forget(target, forgotten);
        if (refused != null) {
            reply(conn, refused);
            return;
        }
        for (MonitorStatus s : forgotten) {
            LOG.info("Forgetting \"{}\" (group {} on device {}) for pid {}.", s.path(), s.groupId(), s.device(),
                    peer.pid());
            reply(conn, new Reply.StatusEntry(s));
        }
        reply(conn, new Reply.StatusEnd(forgotten.size()));
    }

    private static boolean reply(UnixSocket conn, Reply r) {
        try {
            conn.send(Wire.encode(r), -1);
            return true;
        } catch (NativeIoException e) {
            LOG.debug("Cannot answer: {}", e.getMessage());
            return false;
        }
    }
}
