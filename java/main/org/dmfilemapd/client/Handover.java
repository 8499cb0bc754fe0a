package org.dmfilemapd.client;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.dmfilemapd.cli.Arguments;
import org.dmfilemapd.domain.MonitorResult;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.Posix;
import org.dmfilemapd.sys.SignalStop;
import org.slf4j.Logger;

/**
 * Gives a file to the service: the fd travels with the request (SCM_RIGHTS), and the
 * service checks and monitors it. Background: done once the service accepted. Foreground:
 * this process waits for the file's monitor to end and takes its status; SIGTERM or SIGINT
 * to it asks the service to stop that monitor (regions kept) and exits 0.
 */
public final class Handover {
    /** How long a signal that came during the hand-over waits for the service's answer. */
    private static final long HANDOVER_WAIT_S = 10;

    private Handover() {
    }

    private static Reply.Accepted handOver(ServiceConnection c, Arguments a) throws ServiceException {
        c.send(new Request.Monitor(a.groupId(), a.path(), a.mode(), a.foreground(), a.verbose()), a.fd());
        Reply r = c.receive();
        if (r instanceof Reply.Refused f) {
            throw new ServiceException(f.message());
        }
        if (!(r instanceof Reply.Accepted ok)) {
            throw new ServiceException("unexpected answer from the dmfilemapd service: " + r);
        }
        return ok;
    }

    /**
     * Hands {@code a}'s file over to be monitored in the background; returns the service's
     * pid. With {@code closeFd} our copy of the fd is closed once the service holds its own.
     */
    public static long background(Arguments a, boolean closeFd) throws ServiceException {
        try (ServiceConnection c = ServiceLauncher.connectOrStart()) {
            long pid = handOver(c, a).servicePid();
            if (closeFd) {
                closeQuietly(a.fd());
            }
            return pid;
        }
    }

    /** Hands {@code a}'s file over and waits for its monitor's end; returns the exit status. */
    public static int foreground(Arguments a, Logger log) throws ServiceException {
        ServiceConnection c = ServiceLauncher.connectOrStart();
        CountDownLatch answered = new CountDownLatch(1);
        AtomicBoolean accepted = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        // installed before the hand-over: once the service shows the file as monitored, a
        // signal must already stop that monitor (a signal that comes first waits for the
        // service's answer, then stops what it accepted)
        SignalStop onSignal = SignalStop.install(() -> {
            try {
                if (answered.await(HANDOVER_WAIT_S, TimeUnit.SECONDS) && accepted.get()) {
                    c.send(new Request.Stop(), -1);
                    done.await(3, TimeUnit.SECONDS);
                }
            } catch (ServiceException e) {
                // the service is gone: nothing left to stop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            handOver(c, a);
            accepted.set(true);
        } catch (ServiceException | RuntimeException e) {
            answered.countDown();
            onSignal.done(); // the command reports the refusal with its own status
            throw e;
        }
        answered.countDown();
        // ours must not count as "another holder" of an unlinked file, as the monitor's own does not
        closeQuietly(a.fd());
        MonitorResult result;
        try {
            Reply r = c.receive(-1);
            if (!(r instanceof Reply.Ended e)) {
                throw new ServiceException("unexpected answer from the dmfilemapd service: " + r);
            }
            result = e.result();
        } finally {
            done.countDown();
        }
        onSignal.done();
        c.close();
        report(result, log);
        return result.status();
    }

    /** Says how monitoring ended, as the monitor itself does in a process of its own. */
    private static void report(MonitorResult r, Logger log) {
        if (r.equals(MonitorResult.STOPPED)) {
            log.debug(r.message());
            return;
        }
        switch (r.kind()) {
            case INFO -> log.info(r.message());
            case WARN -> log.warn(r.message());
            case ERROR -> {
                log.error(r.message());
                log.error("Exiting");
            }
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (NativeIoException e) {
            // already closed
        }
    }
}
